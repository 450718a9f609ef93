"""examples/submit_draft.py against a live server, run by a Python that can import only the
standard library (-I -S: no site-packages, no current directory)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article, Topic
from references.models import Reference
from reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = Path(settings.BASE_DIR) / "examples"
CLIENT = EXAMPLES / "submit_draft.py"
DRAFT = EXAMPLES / "draft.json"


def _run(live_server, token, *args, draft=DRAFT):
    return subprocess.run(
        [sys.executable, "-I", "-S", str(CLIENT), "--url", live_server.url, str(draft), *args],
        env={"ORACLE_API_TOKEN": token, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def back_pain(db):
    return Topic.objects.create(name="Back pain", slug="back-pain")


def test_client_creates_the_draft_submits_it_and_prints_the_admin_url(
    live_server, back_pain, editor, board_member, make_token
):
    draft = json.loads(DRAFT.read_text())

    result = _run(live_server, make_token(editor))

    assert result.returncode == 0, result.stderr
    article = Article.objects.get(question=draft["question"])
    assert article.topic == back_pain and article.sections.count() == len(draft["sections"])
    assert article.review_status == "submitted" and article.is_locked
    review = Review.objects.get(article=article)
    assert (review.state, review.submitted_by, review.change_summary) == ("submitted", editor, draft["change_summary"])
    assert {r.doi for r in Reference.objects.all()} >= {"10.1136/bmj.h1225", "10.1016/S0140-6736(14)60805-9"}
    assert f"Board review: {live_server.url}/admin/articles/article/{article.pk}/change/" in result.stdout
    assert not article.publications.exists()


def test_client_reports_unknown_citation_keys_and_nothing_is_saved(
    live_server, back_pain, editor, make_token, tmp_path
):
    draft = json.loads(DRAFT.read_text())
    draft["sections"][0]["claims"].append("Heat helps more than paracetamol [@french-heat-2006].")
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft))

    result = _run(live_server, make_token(editor), draft=path)

    assert result.returncode == 1
    assert "HTTP 422" in result.stderr and "Unknown citation keys: french-heat-2006" in result.stderr
    assert "sections[0].claims[3].text" in result.stderr
    assert not Article.objects.filter(question=draft["question"]).exists() and not Reference.objects.exists()


def test_client_reports_a_token_without_the_scope(live_server, back_pain, editor, make_token):
    result = _run(live_server, make_token(editor, scopes=["reviews:read"]))

    assert result.returncode == 1 and "HTTP 403" in result.stderr and "drafts:write" in result.stderr
    assert not Article.objects.exists()


def test_client_saves_without_submitting_when_asked(live_server, back_pain, editor, make_token):
    result = _run(live_server, make_token(editor), "--no-submit")

    assert result.returncode == 0, result.stderr
    assert Article.objects.get().review_status == "new" and not Review.objects.exists()
    assert "Draft in the admin:" in result.stdout


def test_an_update_names_the_version_it_replaces_and_a_stale_one_is_refused(live_server, back_pain, editor, make_token):
    token = make_token(editor)
    created = _run(live_server, token, "--no-submit")
    assert created.returncode == 0, created.stderr
    article = Article.objects.get()

    without = _run(live_server, token, "--update", str(article.pk), "--no-submit")
    current = _run(
        live_server, token, "--update", str(article.pk), "--version", str(article.edit_version), "--no-submit"
    )
    stale = _run(live_server, token, "--update", str(article.pk), "--version", str(article.edit_version), "--no-submit")

    assert without.returncode == 2 and "--version" in without.stderr
    assert current.returncode == 0, current.stderr
    assert stale.returncode == 1 and "HTTP 409" in stale.stderr
