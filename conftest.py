# The personas and shared fixtures live in a plugin module so that tests beside every app and the
# browser tests under tests/ see the same ones.
pytest_plugins = ["candor.testing.personas"]
