import pytest

from tests.helpers import DEMO_PAGE, EXAMPLE_PAGE, UserFactory, make_article, save_revision


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and rate-limit counters must not leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _publish_dir(settings, tmp_path):
    """Static answer files go to a temporary directory, never into the working tree."""
    settings.ORACLE_PUBLISH_DIR = str(tmp_path / "publish")


@pytest.fixture
def example_page():
    return EXAMPLE_PAGE


@pytest.fixture
def demo_page():
    return DEMO_PAGE


@pytest.fixture
def demo(demo_page):
    """The demo baclofen answer, imported and published; the article."""
    from reviews.importing.write import review_import_pages

    [result] = review_import_pages([demo_page], publish=True)
    return result.article


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editors"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def write_page(tmp_path):
    """Write a page file from text (or bytes) and return its path."""

    def write(content, name="page.txt"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def board_member(db):
    from reviews.models import BoardMember

    user = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    BoardMember.objects.create(
        user=user, display_name="Dr. Bo Reviewer", credentials="MD, FACP", specialty="Internal medicine"
    )
    return user


@pytest.fixture
def second_board_member(db):
    return UserFactory(username="board2", groups=["Medical Advisory Board"])


@pytest.fixture
def draft(db):
    return make_article(question="Is ibuprofen safe?", slug="is-ibuprofen-safe")


@pytest.fixture
def article(editor):
    """A draft with a first revision saved by the editor ("First draft"), as the admin would save it."""
    article = make_article(
        question="Is paracetamol safe?", slug="is-paracetamol-safe", sections=2, claims_per_section=2
    )
    save_revision(editor, "First draft", lambda: article.save())
    return article


@pytest.fixture
def submitted(draft, editor):
    from reviews.services import review_submit

    return review_submit(article=draft, by=editor, change_summary="First draft")


@pytest.fixture
def under_review(submitted, board_member):
    from reviews.services import review_start

    return review_start(review=submitted, by=board_member)


@pytest.fixture
def approved(under_review, board_member):
    """The draft, approved by the board: published as version 1 (re-read with its publication)."""
    from articles.models import Article
    from reviews.services import review_approve

    review_approve(review=under_review, by=board_member)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)
