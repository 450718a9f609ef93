"""The admin's "Due for re-review" queue, as the board sees it: counts, alerts first, then overdue."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Publication
from articles.publishing import article_publish
from reviews.source_events import reference_record_event
from tests.helpers import UserFactory, make_article

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:reviews_rereviewqueue_changelist")


def _published(question, slug, due_in_days):
    article = make_article(question=question, slug=slug)
    article_publish(article=article, origin=Publication.Origin.APPROVAL)
    Article.objects.filter(pk=article.pk).update(next_review_due=timezone.localdate() + timedelta(days=due_in_days))
    return Article.objects.select_related("current_publication").get(pk=article.pk)


@pytest.fixture
def queue(db, board_member):
    """Answers due in various ways, one of them standing on a retracted source."""
    answers = {
        "soon": _published("Due soon?", "due-soon", 20),
        "overdue_long": _published("Long overdue?", "long-overdue", -90),
        "later": _published("Not due?", "not-due", 200),
        "overdue": _published("Overdue?", "overdue", -3),
        "alerted": _published("Alerted?", "alerted", 300),
    }
    make_article(question="Only a draft?", slug="only-a-draft")
    source = answers["alerted"].current_publication.citations.get(number=1).reference
    reference_record_event(reference=source, kind="retracted", occurred_on=date(2024, 3, 5), by=board_member)
    return answers


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/admin/articles/article/\d+/change/">([^<]+)</a>', page)


def test_the_queue_counts_what_is_due_in_its_title_and_lists_alerts_first_then_overdue_first(
    client, board_member, queue
):
    client.force_login(board_member)

    response = client.get(QUEUE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Due for re-review: 1 with source alerts, 2 overdue, 1 due soon" in page
    assert _rows(page) == ["Alerted?", "Long overdue?", "Overdue?", "Due soon?"]
    assert "overdue by 90 days" in page and "overdue by 3 days" in page and "due in 20 days" in page
    alerts = reverse("admin:reviews_sourcealert_changelist") + f"?article__id__exact={queue['alerted'].pk}&amp;open=yes"
    assert f'<a class="due-overdue" href="{alerts}">1</a>' in page


def test_the_queue_links_each_answer_to_its_change_form(client, board_member, queue):
    client.force_login(board_member)

    page = client.get(QUEUE).content.decode()

    assert f'href="{reverse("admin:articles_article_change", args=[queue["overdue"].pk])}">Overdue?</a>' in page


def test_each_row_has_one_link_to_the_article_and_none_to_the_proxy(client, board_member, queue):
    client.force_login(board_member)

    page = client.get(QUEUE).content.decode()

    assert "/admin/reviews/rereviewqueue/" not in re.sub(r'href="\?[^"]*"', "", page.split("<tbody>", 1)[1])


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("alerts", ["Alerted?"]),
        ("overdue", ["Long overdue?", "Overdue?"]),
    ],
)
def test_the_queue_filters_by_kind(client, board_member, queue, due, expected):
    client.force_login(board_member)

    page = client.get(QUEUE, {"due": due}).content.decode()

    assert _rows(page) == expected
    assert "Source alerts (1)" in page and "Overdue (2)" in page and "Due within 30 days (1)" in page


def test_the_due_soon_filter_lists_only_answers_due_within_the_window(client, board_member, queue):
    client.force_login(board_member)

    page = client.get(QUEUE, {"due": "soon"}).content.decode()

    assert _rows(page) == ["Due soon?"]


@pytest.mark.parametrize("order", ["0", "-0", "2", "-2", "4", "-4", "5"])
def test_the_queue_can_be_sorted_by_its_columns(client, board_member, queue, order):
    client.force_login(board_member)

    response = client.get(QUEUE, {"o": order})

    assert response.status_code == 200
    assert sorted(_rows(response.content.decode())) == sorted(["Alerted?", "Long overdue?", "Overdue?", "Due soon?"])


def test_the_queue_is_searchable_and_read_only(client, board_member, queue):
    client.force_login(board_member)

    page = client.get(QUEUE, {"q": "overdue"}).content.decode()

    assert _rows(page) == ["Long overdue?", "Overdue?"]
    assert 'name="action"' not in page  # no bulk actions, no delete
    assert reverse("admin:reviews_rereviewqueue_add") not in page


def test_an_empty_queue_says_nothing_is_due(client, board_member):
    client.force_login(board_member)

    page = client.get(QUEUE).content.decode()

    assert "Due for re-review: 0 with source alerts, 0 overdue, 0 due soon" in page
    assert _rows(page) == []


def test_the_queue_is_closed_to_staff_without_the_view_permission(client, db):
    client.force_login(UserFactory(username="outsider"))

    assert client.get(QUEUE).status_code == 403
