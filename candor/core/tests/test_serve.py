import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings


@pytest.mark.django_db
def test_serve_runs_gunicorn_on_the_given_address(capsys):
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "3", "--dry-run")
    printed = capsys.readouterr().out
    assert "gunicorn candor.wsgi --bind 127.0.0.1:8123 --workers 3" in printed
    assert "access-log" not in printed  # no log of visitors' addresses


@pytest.mark.django_db
@pytest.mark.req("R7.1")
def test_serve_refuses_an_unsafe_production_configuration():
    with override_settings(PRODUCTION=True, DEBUG=True), pytest.raises(SystemCheckError):
        call_command("serve", "--dry-run")
