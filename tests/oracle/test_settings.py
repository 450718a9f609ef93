"""Which settings a process gets (issue 13): a developer's `manage.py` after `make run` runs with the
development settings and the address `make run` serves on; everything else — gunicorn, `make check`,
a server without `.env` — gets production, which refuses to start without a real secret key.

Each test works in a throwaway copy of the checkout (`copy_checkout` in tests/helpers.py) with a developer's
environment, the way the commands are typed; nothing here reads the test run's own settings.
"""

import secrets
import subprocess

import pytest

from tests.helpers import copy_checkout, developer_env, make, manage, settings_seen_by_manage_py

SETTINGS = ("SETTINGS_MODULE", "DEBUG", "ORACLE_BASE_URL", "ORACLE_PAGE_CACHE", "EMAIL_BACKEND", "SECRET_KEY")


@pytest.fixture
def checkout(tmp_path):
    return copy_checkout(tmp_path / "oracle")


def test_after_make_run_manage_py_has_the_development_settings_and_the_port_it_serves_on(checkout):
    done = make(checkout, "dotenv", "PORT=8123")  # the step of `make run` that chooses the settings

    assert done.returncode == 0, done.stderr
    seen = settings_seen_by_manage_py(checkout, *SETTINGS)
    assert seen["SETTINGS_MODULE"] == "oracle.settings_dev"
    assert seen["DEBUG"] is True
    assert seen["ORACLE_BASE_URL"] == "http://127.0.0.1:8123"
    assert seen["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    # A per-process page cache would keep serving the server's copy after a command publishes.
    assert seen["ORACLE_PAGE_CACHE"] is False


def test_make_run_on_another_port_updates_dotenv_and_keeps_the_lines_a_developer_added(checkout):
    make(checkout, "dotenv", "PORT=8123")
    with (checkout / ".env").open("a") as dotenv:
        dotenv.write("# my own settings\nORACLE_SHOW_PENDING=1\nORACLE_SITE_NAME='Oracle (dev) # mine'\n")

    done = make(checkout, "dotenv", "PORT=9001")

    assert done.returncode == 0, done.stderr
    text = (checkout / ".env").read_text()
    assert text.count("DJANGO_SETTINGS_MODULE=") == 1 and text.count("ORACLE_BASE_URL=") == 1
    assert text.count("(make run)") == 3  # its own comment, once
    seen = settings_seen_by_manage_py(checkout, "ORACLE_BASE_URL", "ORACLE_SHOW_PENDING", "ORACLE_SITE_NAME")
    assert seen == {
        "ORACLE_BASE_URL": "http://127.0.0.1:9001",
        "ORACLE_SHOW_PENDING": True,
        "ORACLE_SITE_NAME": "Oracle (dev) # mine",
    }


def test_the_environment_wins_over_dotenv(checkout):
    make(checkout, "dotenv", "PORT=8123")
    secret = secrets.token_urlsafe(50)

    seen = settings_seen_by_manage_py(
        checkout,
        *SETTINGS,
        env=developer_env(
            DJANGO_SETTINGS_MODULE="oracle.settings",
            DJANGO_SECRET_KEY=secret,
            ORACLE_BASE_URL="https://answers.example.org",
        ),
    )

    assert (seen["SETTINGS_MODULE"], seen["DEBUG"], seen["SECRET_KEY"]) == ("oracle.settings", False, secret)
    assert seen["ORACLE_BASE_URL"] == "https://answers.example.org"


def test_without_dotenv_manage_py_is_production_and_refuses_without_a_secret_key_in_a_few_lines(checkout):
    done = manage(checkout, "review_due")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) <= 4
    assert "DJANGO_SECRET_KEY must be set" in done.stderr
    assert "make run" in done.stderr  # what a developer should do instead


def test_a_malformed_dotenv_line_is_named(checkout):
    (checkout / ".env").write_text("DJANGO_SETTINGS_MODULE=oracle.settings_dev\nthis is not a setting\n")

    done = manage(checkout, "check")

    assert done.returncode == 1
    assert done.stderr.strip() == f"{checkout / '.env'}:2: expected NAME=value, found 'this is not a setting'"


def test_gunicorn_and_make_check_stay_production_in_a_development_checkout(checkout):
    make(checkout, "dotenv", "PORT=8123")

    wsgi = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "-c", "from oracle.wsgi import application"],
        cwd=checkout,
        env=developer_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    check = make(checkout, "check", timeout=120)

    assert wsgi.returncode != 0 and "DJANGO_SECRET_KEY must be set" in wsgi.stderr
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues" in check.stdout


@pytest.mark.parametrize(
    ("env", "cached"),
    [({}, False), ({"DJANGO_DEBUG": "1"}, False), ({"REDIS_URL": "redis://127.0.0.1:1/0"}, True)],
)
def test_the_page_cache_is_on_by_default_only_with_a_cache_every_process_shares(checkout, env, cached):
    seen = settings_seen_by_manage_py(
        checkout, "DEBUG", "ORACLE_PAGE_CACHE", env=developer_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), **env)
    )

    assert seen["ORACLE_PAGE_CACHE"] is cached


def test_the_settings_option_chooses_the_settings_even_without_dotenv(checkout):
    # Django's own `--settings` must still work when manage.py loads the settings early for its message.
    done = manage(checkout, "check", "--settings=oracle.settings_test")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout

    done = manage(checkout, "check", "--settings", "oracle.settings_test")
    assert done.returncode == 0, done.stderr
