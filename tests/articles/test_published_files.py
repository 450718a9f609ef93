from pathlib import Path

import pytest

from articles.publishing import article_withdraw_from_public
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


def approve(article, editor, board, capture):
    with capture(execute=True):
        review = review_start(review=review_submit(article=article, by=editor), by=board)
        return review_approve(review=review, by=board)


def test_approval_writes_the_page_as_a_file_identical_to_what_django_serves(
    client, settings, editor, board_member, django_capture_on_commit_callbacks
):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")

    approve(article, editor, board_member, django_capture_on_commit_callbacks)

    path = Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "is-naproxen-safe" / "index.html"
    assert path.read_bytes() == client.get("/articles/is-naproxen-safe/", HTTP_HOST="127.0.0.1:8000").content
    assert "Reviewed by Dr. Bo Reviewer" in path.read_text()


def test_a_new_approval_replaces_the_file_and_a_withdrawal_removes_it(
    settings, editor, board_member, django_capture_on_commit_callbacks
):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    approve(article, editor, board_member, django_capture_on_commit_callbacks)
    path = Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "is-naproxen-safe" / "index.html"
    claim = article.sections.first().claims.first()
    claim.text = "Second version wording " + claim.text
    claim.save()

    approve(article, editor, board_member, django_capture_on_commit_callbacks)
    assert "Second version wording" in path.read_text()

    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw_from_public(article=article, by=board_member, reason="Wrong dose.")
    assert not path.exists()


def test_an_update_going_into_review_rewrites_the_file_with_the_note(
    settings, editor, board_member, django_capture_on_commit_callbacks
):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    approve(article, editor, board_member, django_capture_on_commit_callbacks)
    path = Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "is-naproxen-safe" / "index.html"

    with django_capture_on_commit_callbacks(execute=True):
        review_submit(article=article, by=editor)

    assert "An update to this answer is under review" in path.read_text()


def test_drafts_are_never_written(settings, editor, django_capture_on_commit_callbacks):
    article = make_article(question="Is a draft safe?", slug="draft")

    with django_capture_on_commit_callbacks(execute=True):
        review_submit(article=article, by=editor)

    assert not (Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "draft").exists()


def test_shipped_nginx_config_serves_files_only_without_query_and_sets_security_headers():
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()

    assert "try_files $uri/index.html @django" in conf
    assert "Content-Security-Policy" in conf and "X-Content-Type-Options" in conf
    assert "$args" in conf  # ?audience=… goes to Django
