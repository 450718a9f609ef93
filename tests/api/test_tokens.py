from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiToken, hash_secret
from tests.helpers import UserFactory

pytestmark = pytest.mark.django_db

REVIEW = "/api/drafts/{}/review/"


def test_only_a_hash_of_the_secret_is_stored(editor, make_token):
    secret = make_token(editor)

    token = ApiToken.objects.get()
    assert secret.startswith("oracle_") and len(secret) > 40
    assert token.token_hash == hash_secret(secret) and secret not in token.token_hash
    assert token.token_hint == secret[:11]


def test_admin_creates_a_token_and_shows_it_once(client, admin_user, editor):
    client.force_login(admin_user)

    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "owner": editor.pk,
            "name": "literature pipeline",
            "client_kind": "automated",
            "system_name": "literature-pipeline v2",
            "scopes": ["drafts:write", "reviews:read"],
        },
    )

    assert response.status_code == 302
    token = ApiToken.objects.get()
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "<code>" in str(m)]
    secret = message.split("<code>")[1].split("</code>")[0]
    assert token.token_hash == hash_secret(secret)
    assert token.scopes == ["drafts:write", "reviews:read"] and token.owner == editor
    assert (token.client_kind, token.system_name) == ("automated", "literature-pipeline v2")
    shown = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    again = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert secret in shown
    assert secret not in again and token.token_hint in again


def test_admin_revokes_tokens(client, admin_user, editor, make_token, draft):
    secret = make_token(editor)
    client.force_login(admin_user)

    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke_selected", "_selected_action": [ApiToken.objects.get().pk]},
    )

    assert ApiToken.objects.get().revoked_at is not None
    response = client.get(REVIEW.format(draft.pk), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_editors_cannot_manage_tokens(client, editor):
    client.force_login(editor)

    assert client.get("/admin/api/apitoken/add/").status_code == 403


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500],
)
def test_missing_or_unknown_token_is_401(client, draft, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get(REVIEW.format(draft.pk), **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]


def test_token_of_an_inactive_user_is_401(as_token, make_token, draft):
    owner = UserFactory(username="gone", groups=["Editors"], is_active=False)

    assert as_token(make_token(owner)).get(REVIEW.format(draft.pk)).status_code == 401


def test_missing_scope_is_403(as_token, make_token, editor, draft, draft_payload):
    reader = as_token(make_token(editor, scopes=["reviews:read"]))
    writer = as_token(make_token(editor, scopes=["drafts:write"]))

    assert reader.post("/api/drafts/", draft_payload()).status_code == 403
    assert reader.put(f"/api/drafts/{draft.pk}/", draft_payload()).status_code == 403
    assert reader.post(f"/api/drafts/{draft.pk}/submit/").status_code == 403
    assert reader.get(f"/api/drafts/{draft.pk}/").status_code == 403
    response = writer.get(REVIEW.format(draft.pk))
    assert response.status_code == 403 and "reviews:read" in response.json()["detail"]
    assert reader.get(REVIEW.format(draft.pk)).status_code == 200
    assert writer.get(f"/api/drafts/{draft.pk}/").status_code == 200


def test_last_use_is_recorded_to_the_minute(api, draft):
    api.get(REVIEW.format(draft.pk))
    first = ApiToken.objects.get().last_used_at
    assert first is not None

    api.get(REVIEW.format(draft.pk))
    assert ApiToken.objects.get().last_used_at == first

    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    api.get(REVIEW.format(draft.pk))
    assert ApiToken.objects.get().last_used_at > first


def test_rate_limit_per_token_is_429_with_retry_after(settings, api, as_token, make_token, editor, draft):
    settings.ORACLE_API_RATE_LIMIT = 3
    other = as_token(make_token(editor, name="other client"))

    statuses = [api.get(REVIEW.format(draft.pk)).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api.get(REVIEW.format(draft.pk))
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 61
    assert "Rate limit" in response.json()["detail"]
    assert other.get(REVIEW.format(draft.pk)).status_code == 200


def test_revoked_token_is_401(api, draft):
    ApiToken.objects.get().revoke()

    assert api.get(REVIEW.format(draft.pk)).status_code == 401


def test_create_api_token_command_prints_a_working_token(editor, draft, as_token, capsys):
    call_command("create_api_token", "editor", "--name", "demo", "--scope", "reviews:read")

    out = capsys.readouterr().out
    secret = out.strip()
    assert out == secret + "\n"  # alone on stdout: TOKEN=$(manage.py create_api_token …) captures just it
    token = ApiToken.objects.get()
    assert token.token_hash == hash_secret(secret) and token.scopes == ["reviews:read"]
    assert as_token(secret).get(REVIEW.format(draft.pk)).status_code == 200
    assert token.created_at <= timezone.now()


def test_create_api_token_command_says_what_the_token_is_and_how_to_use_it_without_repeating_it(
    editor, capsys, settings
):
    settings.ORACLE_BASE_URL = "http://127.0.0.1:8123"

    call_command("create_api_token", "editor", "--name", "literature pipeline")

    captured = capsys.readouterr()
    secret, said = captured.out.strip(), captured.err
    assert "API token “literature pipeline” for editor" in said
    assert "scopes: drafts:write, reviews:read" in said
    assert "Only a hash of it is stored, so this is the only time it is shown" in said
    assert "Authorization: Bearer <token>" in said
    assert "--url http://127.0.0.1:8123 examples/draft.json" in said
    assert secret.startswith("oracle_") and secret not in said  # a script's log keeps no copy of it
