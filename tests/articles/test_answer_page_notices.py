"""A notice on a cited source is the text the board confirmed, the same on the answer page, its
static file and every version's permalink; a later edit of a reference changes none of them
until the board confirms the notice again."""

import re
from datetime import date

import pytest
from django.urls import reverse

from articles.models import Article, Claim
from reviews.services import review_approve, review_start, review_submit
from reviews.source_event_decisions import event_confirm
from reviews.source_events import SourceEventRefused, reference_record_event
from tests.helpers import ReferenceFactory

pytestmark = pytest.mark.django_db

FIRST = "Superseded by “Updated guideline on back pain” (2025)."
EDITED = "Superseded by “Back pain: a guideline nobody approved” (2025)."


@pytest.fixture
def approved(under_review, board_member):
    review_approve(review=under_review, by=board_member)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)


def _cited(article, number=1):
    return article.current_publication.citations.get(number=number).reference


def _reference_item(page: str, number: int) -> str:
    return re.search(rf'<li class="reference[^"]*" id="ref-{number}".*?</li>', page, re.S).group(0)


def _published_file(settings, article):
    from pathlib import Path

    return (Path(settings.ORACLE_PUBLISH_DIR) / "articles" / article.slug / "index.html").read_text()


def _new_version(article, *, editor, board):
    claim = Claim.objects.filter(section__article=article).first()
    claim.text += " (checked again)"
    claim.save()
    review = review_start(review=review_submit(article=article, by=editor, change_summary="Update"), by=board)
    review_approve(review=review, by=board)


def test_a_later_edit_of_the_replacement_changes_no_notice_until_the_board_confirms_again(
    client, settings, approved, editor, board_member, django_capture_on_commit_callbacks
):
    """The reproduced break: a title edit changed what /v/1/ shows while the main page showed the
    old text. Both now show the confirmed text, until the board confirms the new one."""
    newer = ReferenceFactory(title="Updated guideline on back pain", year=2025)
    with django_capture_on_commit_callbacks(execute=True):
        event = reference_record_event(
            reference=_cited(approved),
            kind="superseded",
            occurred_on=date(2025, 1, 10),
            replacement=newer,
            by=board_member,
        ).event
    page_url = approved.get_absolute_url()
    version_url = reverse("articles:version", args=[approved.slug, 1])

    newer.title = "Back pain: a guideline nobody approved"  # an editor's edit, in the admin or the shell
    newer.save()

    for url in (page_url, version_url):
        item = _reference_item(client.get(url).content.decode(), 1)
        assert FIRST in item and "nobody approved" not in item, url
    assert FIRST in _published_file(settings, approved)
    # the board is told the notice is out of date, and an editor cannot refresh it
    client.force_login(board_member)
    queue = client.get(reverse("admin:reviews_rereviewqueue_changelist")).content.decode()
    assert f"readers see “{FIRST}”; confirmed again: “{EDITED}”" in queue
    change = client.get(reverse("admin:reviews_sourceevent_change", args=[event.pk])).content.decode()
    assert "Confirm the notice again" in change
    client.force_login(editor)
    assert client.post(reverse("admin:reviews_sourceevent_confirm", args=[event.pk]), {}).status_code == 403
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        event_confirm(event=event, by=board_member, reason="The guideline's final title.")

    for url in (page_url, version_url):
        assert EDITED in _reference_item(client.get(url).content.decode(), 1), url
    assert EDITED in _published_file(settings, approved)
    assert [d.notice for d in event.decisions.order_by("at", "pk")] == [FIRST, EDITED]
    with pytest.raises(SourceEventRefused, match="already confirmed"):
        event_confirm(event=event, by=board_member)  # nothing left to confirm


def test_an_unconfirmed_mark_on_a_reference_shows_readers_nothing(client, approved):
    """Only the board's confirmation puts words on the page: a reference marked any other way
    (a shell, a bulk update) changes no notice."""
    from articles.publishing import publication_rerender_page
    from references.models import Reference

    source = _cited(approved)
    Reference.objects.filter(pk=source.pk).update(retracted_on=date(2024, 3, 5))
    publication_rerender_page(approved.current_publication, article=approved)

    for url in (approved.get_absolute_url(), reverse("articles:version", args=[approved.slug, 1])):
        assert "Retracted" not in client.get(url).content.decode(), url


def test_a_retraction_of_a_source_only_an_older_version_cites_reaches_that_versions_cached_permalink(
    client, approved, editor, board_member, django_capture_on_commit_callbacks
):
    source = _cited(approved, 4)
    other = _cited(approved, 1)
    article = Article.objects.get(pk=approved.pk)
    for claim in Claim.objects.filter(section__article=article, text__contains=f"[@{source.key}]"):
        claim.text = claim.text.replace(f"[@{source.key}]", f"[@{other.key}]")
        claim.save()
    with django_capture_on_commit_callbacks(execute=True):
        _new_version(article, editor=editor, board=board_member)
    old = reverse("articles:version", args=[approved.slug, 1])
    assert client.get(old)["X-Cache"] == "miss" and client.get(old)["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        reference_record_event(reference=source, kind="retracted", occurred_on=date(2024, 3, 5), by=board_member)

    response = client.get(old)
    page = response.content.decode()
    numbers = [n for n in range(1, 5) if "Retracted on March 5, 2024." in _reference_item(page, n)]
    assert response["X-Cache"] == "miss" and len(numbers) == 1
    assert "Retracted" not in client.get(approved.get_absolute_url()).content.decode()  # version 2 cites it no more
