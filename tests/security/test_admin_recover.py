"""django-reversion's "recover" view is for deleted articles only: a live article (locked or not)
is refused with a message, never reverted in place and never a 500."""

import pytest
from reversion.models import Version

from articles.models import Article
from reviews.services import review_submit
from tests.helpers import edit, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def _version(article) -> Version:
    return Version.objects.get_for_object(article).order_by("revision_id").first()


@pytest.mark.parametrize("method", ["get", "post"])
def test_recover_is_refused_for_a_live_article_and_changes_nothing(staff, editor, method):
    article = edit(make_article(question="Is it safe?", slug="live"), editor, summary="First [@x]")
    old = _version(article)
    article = edit(article, editor, summary="Current text")

    response = getattr(staff, method)(f"/admin/articles/article/recover/{old.pk}/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0] == f"/admin/articles/article/{article.pk}/history/"
    assert "was not deleted, so there is nothing to recover" in response.content.decode()
    assert Article.objects.get(pk=article.pk).summary == "Current text"


def test_recover_of_a_locked_article_is_refused_with_a_message_not_a_500(staff, editor):
    article = edit(make_article(question="Is it safe?", slug="locked"), editor, summary="First")
    old = _version(article)
    review_submit(article=article, by=editor)

    response = staff.post(f"/admin/articles/article/recover/{old.pk}/", follow=True)

    assert response.status_code == 200
    assert "nothing to recover" in response.content.decode()
    assert Article.objects.get(pk=article.pk).is_locked


def test_recover_still_brings_back_a_deleted_draft(staff, editor):
    article = edit(make_article(question="Is it gone?", slug="gone"), editor, summary="Kept text")
    version = _version(article)
    Article.objects.get(pk=article.pk).delete()

    assert staff.get(f"/admin/articles/article/recover/{version.pk}/").status_code == 200


def test_a_version_of_another_model_is_not_an_articles(staff, editor):
    from references.models import Reference
    from tests.helpers import save_revision

    revision = save_revision(editor, "ref", lambda: Reference.objects.create(key="k1", title="T", kind="guideline"))
    other = Version.objects.get(revision=revision)

    assert staff.get(f"/admin/articles/article/recover/{other.pk}/").status_code == 404
