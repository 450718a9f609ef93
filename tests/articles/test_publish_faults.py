"""A publish storage that refuses writes (full disk, permissions, an outage): withdrawing and
approving answer normally, the failure is recorded for staff, and once the storage is back the
worker's retry converges — the withdrawn page gone, the new version written."""

import pytest
from django.core.files.storage import InMemoryStorage, storages

from articles.models import Withdrawal
from core.models import Effect
from tests.helpers import CHANGE_FOR_READERS, effects_due_now, make_article, publish_directly, rename, run_effects

pytestmark = pytest.mark.django_db


class RefusingStorage(InMemoryStorage):
    """The same files, read-only: every write and delete is refused."""

    def __init__(self, files):
        super().__init__()
        self.files = files

    def exists(self, name):
        return self.files.exists(name)

    def _open(self, name, mode="rb"):
        return self.files._open(name, mode)

    def _save(self, name, content):
        raise PermissionError(13, "Permission denied", name)

    def delete(self, name):
        raise PermissionError(13, "Permission denied", name)


@pytest.fixture
def storage(settings):
    settings.STORAGES = {**settings.STORAGES, "published": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    return storages["published"]


def test_withdrawing_while_the_storage_refuses_answers_normally_and_the_page_goes_once_it_is_back(
    client, admin_user, storage, django_capture_on_commit_callbacks
):
    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    publish_directly(article)
    run_effects()
    name = "articles/is-naproxen-safe/index.html"
    assert storage.exists(name)

    storages._storages["published"] = RefusingStorage(storage)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/articles/article/{article.pk}/withdraw-from-public/", {"reason": "Wrong dose"})
    assert response.status_code == 302
    assert Withdrawal.objects.filter(article=article).exists()
    sync = Effect.objects.filter(name="articles.published_files.sync_answer_page").latest("pk")
    assert sync.status == "pending" and "PermissionError" in sync.last_error
    assert client.get("/articles/is-naproxen-safe/").status_code == 410  # Django is right at once

    storages._storages["published"] = storage
    effects_due_now()
    run_effects()
    assert not storage.exists(name) and not storage.exists(name + ".gz")
    sync.refresh_from_db()
    assert sync.status == "done" and sync.attempts == 2


def test_approving_an_update_while_the_storage_refuses_answers_normally_and_version_2_is_written_later(
    client, editor, board_member, storage, django_capture_on_commit_callbacks
):
    from reviews.models import Review

    article = make_article(question="Is naproxen safe?", slug="is-naproxen-safe")
    publish_directly(article)
    run_effects()
    name = "articles/is-naproxen-safe/index.html"
    rename(editor, article, "Is naproxen safe now?")
    url = f"/admin/articles/article/{article.pk}/review/"
    client.force_login(editor)
    client.post(url, {"transition": "submit", "comment": "Update"})
    review = Review.objects.get(article=article)
    client.force_login(board_member)
    client.post(url, {"transition": "start_review", "review": review.pk})
    run_effects()

    storages._storages["published"] = RefusingStorage(storage)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"transition": "approve", "review": review.pk, "declaration": "none", **CHANGE_FOR_READERS},
            follow=True,
        )
    assert "Approved and published as version 2." in response.content.decode()
    assert b"safe now?" not in storage.open(name).read()  # the storage refused: still version 1, whole

    storages._storages["published"] = storage
    effects_due_now()
    run_effects()
    assert b"Is naproxen safe now?" in storage.open(name).read()
    assert b"Is naproxen safe now?" in client.get("/articles/is-naproxen-safe/").content
