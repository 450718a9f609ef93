"""Production hardening (issue 7, item 5): each requirement is a test.

Settings are proven in a subprocess started with production environment variables only, the way
gunicorn starts: pytest-django's settings (oracle.settings_test, DEBUG forced off) could hide a
wrong default. Behaviour that needs the database (the login throttle, cookies after sign-in, the
admin's 403) runs in-process; the test settings are the production ones plus a test secret.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import get_resolver, path
from django.utils import timezone

from oracle import errors
from oracle import urls as oracle_urls
from tests.helpers import PASSWORD, UserFactory

BASE_DIR = Path(settings.BASE_DIR)
HOST = "oracle.example.org"
LOGIN = "/admin/login/"
SECRET_DETAIL = "ZQXINTERNALDETAIL"  # planted in exception messages; must never reach a page


# -- a production process ------------------------------------------------------------------------


def production_env(**overrides):
    """The environment of a production process: nothing of the test run's own settings (pytest
    sets DJANGO_SETTINGS_MODULE, oracle.settings_test sets a secret and turns the SSL redirect
    off), a fresh secret, one allowed host, and a database that cannot be opened."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "ORACLE_")) and name not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="oracle.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL="sqlite:////nonexistent-directory/oracle.sqlite3",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_python(code, env, *args):
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


# Requests through oracle.wsgi.application as nginx would forward them (deploy/nginx.conf).
FETCH = r"""
import json, sys
from http.cookies import SimpleCookie
from wsgiref.util import setup_testing_defaults

from oracle.wsgi import application

results = []
for path, https in json.loads(sys.argv[1]):
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "oracle.example.org",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https" if https else "http"}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), headers

    response = application(environ, start_response)
    body = b"".join(response).decode("utf-8", "replace")
    response.close()
    cookies = SimpleCookie()
    for name, value in seen["headers"]:
        if name.lower() == "set-cookie":
            cookies.load(value)
    results.append({
        "status": seen["status"],
        "headers": {name.lower(): value for name, value in seen["headers"] if name.lower() != "set-cookie"},
        "cookies": {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"]}
                    for name, m in cookies.items()},
        "body": body,
    })
print(json.dumps(results))
"""


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic once, as a deployment does: production's manifest storage needs it."""
    root = tmp_path_factory.mktemp("staticfiles")
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=production_env(DJANGO_STATIC_ROOT=str(root)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="session")
def production(static_root):
    """production(*(path, https)) → (responses, stderr) from a production process."""

    def fetch(*requests, **env):
        done = run_python(FETCH, production_env(DJANGO_STATIC_ROOT=str(static_root), **env), json.dumps(requests))
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout), done.stderr

    return fetch


def csp_directives(header):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def assert_no_internals(body, *markers):
    for leak in ("Traceback", "Exception", "SECRET_KEY", "settings.py", "DEBUG", str(BASE_DIR), *markers):
        assert leak not in body, leak


def assert_in_site_design(body):
    assert 'class="site-header"' in body and 'class="site-footer"' in body
    assert re.search(r'<link rel="stylesheet" href="/static/css/oracle[.\w]*\.css">', body)


# -- settings: check --deploy, secrets, DEBUG ---------------------------------------------------


def test_check_deploy_reports_no_issues_with_production_settings():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@pytest.mark.parametrize("secret", [None, "", "django-insecure-development-only-key-do-not-use-in-production"])
def test_production_refuses_to_start_without_a_secret_key_from_the_environment(secret):
    done = run_python("import django; django.setup()", production_env(DJANGO_SECRET_KEY=secret))

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "DJANGO_SECRET_KEY" in done.stderr


def test_secret_key_and_smtp_password_are_the_environments():
    env = production_env(DJANGO_EMAIL_HOST_PASSWORD="smtp-secret")

    done = run_python(
        "from django.conf import settings; print(settings.SECRET_KEY); print(settings.EMAIL_HOST_PASSWORD)", env
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [env["DJANGO_SECRET_KEY"], "smtp-secret"]


@pytest.mark.parametrize(
    "value, debug",
    [(None, False), ("", False), ("0", False), ("false", False), ("off", False), ("1", True), ("true", True)],
)
def test_debug_is_off_unless_explicitly_turned_on(value, debug):
    done = run_python("from django.conf import settings; print(settings.DEBUG)", production_env(DJANGO_DEBUG=value))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(debug)


def test_production_500_is_the_designed_page_without_a_traceback_even_with_the_database_down(production):
    # The home page reads the database, which production_env makes impossible to open.
    (response,), log = production(("/", True))

    assert response["status"] == 500
    assert_in_site_design(response["body"])
    assert "Something went wrong on our side" in response["body"]
    assert_no_internals(response["body"], "OperationalError", "unable to open database", "nonexistent-directory")
    assert "OperationalError" in log  # the details are in the log instead


def test_production_responses_carry_the_security_headers_and_cookie_flags(production):
    (health, login, plain), _ = production(("/healthz", True), (LOGIN, True), ("/healthz", False))

    assert plain["status"] == 301 and plain["headers"]["location"] == f"https://{HOST}/healthz"
    for response in (health, login):
        headers = response["headers"]
        csp = csp_directives(headers["content-security-policy"])
        assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(csp["script-src"] + csp["default-src"])
        hsts = headers["strict-transport-security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000 and "includeSubDomains" in hsts
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
    assert login["status"] == 200
    assert login["cookies"]["csrftoken"] == {"secure": True, "httponly": True, "samesite": "Lax"}


# -- cookies after a real sign-in (the admin still works with an HttpOnly CSRF cookie) -------------


def csrf_token_of(response):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content).group(1).decode()


@pytest.mark.django_db
def test_admin_sign_in_sets_secure_httponly_cookies_and_works_with_csrf_checks(admin_user):
    # Over HTTPS Django also checks the Origin, as a browser sends it.
    client = Client(enforce_csrf_checks=True, headers={"Origin": "https://testserver"})
    form = client.get(LOGIN, secure=True)

    signed_in = client.post(
        LOGIN,
        {"username": "admin", "password": PASSWORD, "next": "/admin/", "csrfmiddlewaretoken": csrf_token_of(form)},
        secure=True,
    )

    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = signed_in.cookies[name]
        assert cookie["secure"] and cookie["httponly"], name
    # An admin form post, CSRF-checked, with the token from the page (the cookie is unreadable to JS).
    add_form = client.get("/admin/references/reference/add/", secure=True)
    saved = client.post(
        "/admin/references/reference/add/",
        {"csrfmiddlewaretoken": csrf_token_of(add_form)},
        secure=True,
    )
    assert saved.status_code == 200 and b"This field is required" in saved.content  # validated, not a 403


# -- admin login throttling (django-axes, enabled as in production) -----------------------------


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def fail(client, username, times, **extra):
    return [sign_in(client, username, "wrong password", **extra).status_code for _ in range(times)]


@pytest.mark.django_db
def test_admin_login_locks_after_five_failures_and_refuses_the_right_password(client, editor):
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5

    assert fail(client, "editor", 4) == [200] * 4  # the form again, with its error
    fifth = sign_in(client, "editor", "wrong password")
    right_password = sign_in(client, "editor", PASSWORD)

    for response in (fifth, right_password):
        assert response.status_code == 429
        assert response["Retry-After"] == "900"
        assert b"Too many failed sign-in attempts" in response.content
        assert b"Oracle editorial" in response.content  # the admin's design
        assert b"paused for 15 minutes" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still signed out


@pytest.mark.django_db
def test_lockout_is_per_username_and_address(client, editor, admin_user):
    fail(client, "editor", 5, REMOTE_ADDR="10.0.0.1")

    assert sign_in(client, "editor", PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert sign_in(Client(), "admin", PASSWORD, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert sign_in(Client(), "editor", PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_failures(client, editor):
    fail(client, "editor", 4)
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()

    assert fail(client, "editor", 4) == [200] * 4
    assert sign_in(client, "editor", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, editor):
    fail(client, "editor", 5)
    assert sign_in(client, "editor", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert sign_in(client, "editor", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_the_address_comes_from_its_header_and_from_no_one_else(client, editor, settings):
    settings.ORACLE_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}

    fail(client, "editor", 5, HTTP_X_REAL_IP="203.0.113.5", **via_proxy)

    assert sign_in(client, "editor", PASSWORD, HTTP_X_REAL_IP="203.0.113.5", **via_proxy).status_code == 429
    assert sign_in(Client(), "editor", PASSWORD, HTTP_X_REAL_IP="203.0.113.6", **via_proxy).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    # Straight from a client, the header is only a claim: changing it does not escape the lock.
    direct = [f"198.51.100.{n}" for n in range(6)]
    for spoofed in direct[:5]:
        sign_in(client, "editor", "wrong password", REMOTE_ADDR="192.0.2.9", HTTP_X_REAL_IP=spoofed)
    assert sign_in(client, "editor", PASSWORD, REMOTE_ADDR="192.0.2.9", HTTP_X_REAL_IP=direct[5]).status_code == 429


@pytest.mark.django_db
def test_api_tokens_work_while_their_owner_is_locked_out_of_the_admin(client, editor, draft):
    from api.models import ApiToken, Scope
    from api.services import api_token_create

    secret = api_token_create(token=ApiToken(owner=editor, name="pipeline", scopes=[Scope.DRAFTS_WRITE]))
    fail(client, "editor", 5)

    response = Client().get(f"/api/drafts/{draft.pk}/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200


# -- passwords ------------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["password123", "12345678901234", "oracle", "editor@example.org"])
def test_weak_passwords_are_refused(weak):
    user = UserFactory.build(username="editor", email="editor@example.org")

    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


@pytest.mark.django_db
def test_the_admins_user_form_refuses_a_weak_password_and_takes_a_strong_one():
    weak = AdminUserCreationForm({"username": "newcomer", "password1": "password123", "password2": "password123"})
    strong = AdminUserCreationForm({"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD})

    assert not weak.is_valid() and "password2" in weak.errors
    assert strong.is_valid(), strong.errors


# -- error pages ----------------------------------------------------------------------------------


def boom(request, kind):
    raise {
        "bad": SuspiciousOperation(f"{SECRET_DETAIL} suspicious"),
        "badrequest": BadRequest(f"{SECRET_DETAIL} bad"),
        "forbidden": PermissionDenied(f"{SECRET_DETAIL} forbidden"),
        "missing": Http404(f"{SECRET_DETAIL} missing"),
        "error": RuntimeError(f"{SECRET_DETAIL} crashed in {__file__}"),
    }[kind]


# This module is the URLconf of the error-page tests: the site's URLs and handlers plus `boom`.
urlpatterns = [path("boom/<str:kind>/", boom), *oracle_urls.urlpatterns]
handler400, handler403 = oracle_urls.handler400, oracle_urls.handler403
handler404, handler500 = oracle_urls.handler404, oracle_urls.handler500


def test_the_site_wires_its_own_error_handlers():
    resolver = get_resolver("oracle.urls")

    assert [resolver.resolve_error_handler(code) for code in (400, 403, 404, 500)] == [
        errors.bad_request,
        errors.permission_denied,
        errors.page_not_found,
        errors.server_error,
    ]
    assert settings.CSRF_FAILURE_VIEW == "oracle.errors.csrf_failure"


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, status, heading",
    [
        ("bad", 400, "We couldn't understand that request"),
        ("badrequest", 400, "We couldn't understand that request"),
        ("forbidden", 403, "You don't have permission for this"),
        ("missing", 404, "We couldn't find that page"),
        ("error", 500, "Something went wrong on our side"),
    ],
)
def test_error_pages_have_their_status_and_the_design_and_no_internals(kind, status, heading):
    client = Client(raise_request_exception=False)

    response = client.get(f"/boom/{kind}/")

    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert heading in body
    assert_in_site_design(body)
    assert_no_internals(body, SECRET_DETAIL, "boom", __file__)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_the_500_page_makes_no_query(django_assert_num_queries):
    client = Client(raise_request_exception=False)

    with django_assert_num_queries(0):
        response = client.get("/boom/error/")

    assert response.status_code == 500


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(rf, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)

    response = errors.server_error(rf.get("/"))

    assert response.status_code == 500 and b"Something went wrong on our side" in response.content
    assert b"manifest" not in response.content


@pytest.mark.django_db
def test_an_unknown_address_is_the_designed_404_without_echoing_it(client):
    response = client.get("/no-such-page-zqxpath/")

    assert response.status_code == 404
    assert_in_site_design(response.content.decode())
    assert b"zqxpath" not in response.content


@pytest.mark.django_db
def test_a_csrf_failure_is_the_designed_403_without_the_reason(editor):
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN, {"username": "editor", "password": PASSWORD})

    body = response.content.decode()
    assert response.status_code == 403
    assert "That form could not be accepted" in body
    assert_in_site_design(body)
    assert "CSRF" not in body and "Referer" not in body and "cookie not set" not in body


@pytest.mark.django_db
def test_an_editor_refused_an_admin_page_gets_the_designed_403_with_a_way_back(client, editor):
    client.force_login(editor)

    response = client.get("/admin/auth/user/")

    body = response.content.decode()
    assert response.status_code == 403
    assert "in the editorial admin" in body and 'href="/admin/"' in body
    assert_in_site_design(body)
    assert_no_internals(body)
