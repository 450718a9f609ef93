"""Answer pages as files: written by the worker's effect after each change, through Django's
storage API (atomic, with a gzip-9 copy for nginx's gzip_static), identical to what Django serves."""

import gzip
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from articles.publishing import article_withdraw_from_public
from core.storage import AtomicPublishStorage
from reviews.services import review_approve, review_start, review_submit
from tests.helpers import make_article, run_effects

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _queued(settings):
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False  # files appear when the worker's code runs


def approve(article, editor, board, capture=None):
    review = review_start(review=review_submit(article=article, by=editor), by=board)
    review = review_approve(review=review, by=board)
    run_effects()
    return review


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

    article_withdraw_from_public(article=article, by=board_member, reason="Wrong dose.")
    assert path.exists()  # until the worker runs the withdrawal's effect
    run_effects()
    assert not path.exists()
    assert not Path(str(path) + ".gz").exists()


def test_an_update_going_into_review_rewrites_the_file_with_the_note(
    settings, editor, board_member, django_capture_on_commit_callbacks
):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    approve(article, editor, board_member, django_capture_on_commit_callbacks)
    path = Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "is-naproxen-safe" / "index.html"

    review_submit(article=article, by=editor)
    run_effects()

    assert "An update to this answer is under review" in path.read_text()


def test_drafts_are_never_written(settings, editor, django_capture_on_commit_callbacks):
    article = make_article(question="Is a draft safe?", slug="draft")

    review_submit(article=article, by=editor)
    run_effects()

    assert not (Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "draft").exists()


def test_shipped_nginx_config_serves_files_only_without_query_and_sets_security_headers():
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()

    assert "try_files $uri/index.html @django" in conf
    assert "Content-Security-Policy" in conf and "X-Content-Type-Options" in conf
    assert "$args" in conf  # ?audience=… goes to Django


def test_each_page_has_a_gzip_9_copy_beside_it_for_nginx(settings, editor, board_member):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    approve(article, editor, board_member)
    page = Path(settings.ORACLE_PUBLISH_DIR) / "articles" / "is-naproxen-safe" / "index.html"
    packed = Path(str(page) + ".gz").read_bytes()
    assert gzip.decompress(packed) == page.read_bytes()
    assert packed == gzip.compress(page.read_bytes(), compresslevel=9, mtime=0)  # stable bytes
    assert oct(page.stat().st_mode & 0o777) == "0o644"


def test_pages_go_to_whatever_storage_the_settings_name(settings, editor, board_member):
    settings.STORAGES = {**settings.STORAGES, "published": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    approve(article, editor, board_member)
    files = storages["published"]
    assert b"Is naproxen safe?" in files.open("articles/is-naproxen-safe/index.html").read()
    assert files.exists("articles/is-naproxen-safe/index.html.gz")
    assert not (Path(settings.ORACLE_PUBLISH_DIR) / "articles").exists()


class BrokenContent(ContentFile):
    """Content whose reading fails half-way (a full disk, a dropped connection)."""

    def chunks(self, chunk_size=None):
        yield b"<html>half a page"
        raise OSError("No space left on device")


def test_a_write_that_fails_half_way_leaves_the_old_page_whole_and_no_temporary_file(tmp_path):
    files = AtomicPublishStorage(location=str(tmp_path))
    files.save("articles/a/index.html", ContentFile(b"<html>version 1</html>"))
    with pytest.raises(OSError):
        files.save("articles/a/index.html", BrokenContent(b""))
    assert (tmp_path / "articles/a/index.html").read_bytes() == b"<html>version 1</html>"
    assert [p.name for p in (tmp_path / "articles/a").iterdir()] == ["index.html"]
    files.save("articles/a/index.html", ContentFile(b"<html>version 2</html>"))  # overwritten in place
    assert (tmp_path / "articles/a/index.html").read_bytes() == b"<html>version 2</html>"
