"""Back-office pages by area; each module has its own ``urlpatterns``."""
