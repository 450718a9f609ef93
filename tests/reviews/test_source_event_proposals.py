"""Source events that change what readers see are the board's decision: an editor's event is a
proposal (stored, listed for the board, invisible to readers) until a board member confirms it;
a rejected proposal stays on record with who, when and why."""

import html
import re
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles.models import Article
from references.models import Reference
from reviews.models import SourceAlert, SourceEvent
from reviews.models.currency import SourceEventDecision
from reviews.services import review_approve
from reviews.source_event_decisions import event_confirm, event_reject
from reviews.source_events import SourceEventRefused, reference_record_event
from tests.helpers import ReferenceFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:reviews_rereviewqueue_changelist")
MIRACLE = "Miracle cure works, says its maker"


@pytest.fixture
def approved(under_review, board_member):
    review_approve(review=under_review, by=board_member)
    return Article.objects.select_related("current_publication").get(pk=under_review.article_id)


def _cited(article, number=1) -> Reference:
    return article.current_publication.citations.get(number=number).reference


def _record_url(reference):
    return reverse("admin:references_reference_record_event", args=[reference.pk])


def _confirm_url(event):
    return reverse("admin:reviews_sourceevent_confirm", args=[event.pk])


def _reject_url(event):
    return reverse("admin:reviews_sourceevent_reject", args=[event.pk])


def _reader_copies(client, article) -> str:
    """Everything readers can get about the answer: its page, its version's permalink, the feed."""
    pages = [
        article.get_absolute_url(),
        reverse("articles:version", args=[article.slug, 1]),
        reverse("feed"),
    ]
    return "\n".join(client.get(url).content.decode() for url in pages)


def _state():
    """What a source event may change: the references' marks, alerts, stored pages, decisions."""
    from articles.models import Publication

    return (
        list(Reference.objects.order_by("pk").values_list("pk", "retracted_on", "superseded_by", "superseded_on")),
        list(SourceAlert.objects.order_by("pk").values_list("pk", "resolved_at")),
        list(Publication.objects.order_by("pk").values_list("pk", "page_html")),
        list(SourceEventDecision.objects.order_by("pk").values_list("pk", "outcome")),
    )


def _shown_notice(page: str) -> str:
    """The notice the confirmation page shows (and sends back with the form)."""
    return html.unescape(re.search(r'<input type="hidden" name="notice" value="([^"]*)"', page).group(1))


def _propose_supersession(client, editor, source, replacement):
    client.force_login(editor)
    return client.post(
        _record_url(source),
        {"kind": "superseded", "occurred_on": "2025-01-10", "replacement": str(replacement.pk)},
        follow=True,
    )


def _proposed_miracle(source, editor) -> SourceEvent:
    """The editor's proposal of the reproduced break: `source` superseded by a new "miracle" reference."""
    reference_record_event(
        reference=source,
        kind="superseded",
        occurred_on=date(2025, 1, 10),
        replacement=ReferenceFactory(title=MIRACLE),
        by=editor,
    )
    return SourceEvent.objects.get()


# --- an editor proposes --------------------------------------------------------------------------


def test_an_editors_supersession_by_a_reference_they_just_created_puts_nothing_on_reader_pages(
    client, approved, editor, django_capture_on_commit_callbacks
):
    """The reproduced break: an editor creates a reference with any title and records that it
    supersedes a cited one; the published page must not say “Superseded by <that title>”."""
    source = _cited(approved)
    invented = ReferenceFactory(title=MIRACLE, year=2025)
    before = _state()

    with django_capture_on_commit_callbacks(execute=True):
        response = _propose_supersession(client, editor, source, invented)

    client.logout()
    seen = _reader_copies(client, approved)
    assert MIRACLE not in seen and "Superseded" not in seen and "source-notice" not in seen
    assert _state() == before  # no mark, no alert, no page re-rendered, no decision
    assert not mail.outbox
    event = SourceEvent.objects.get()
    assert (event.reference, event.replacement, event.recorded_by, event.state) == (
        source,
        invented,
        editor,
        SourceEvent.State.PROPOSED,
    )
    assert response.status_code == 200
    assert "Proposed. Nothing changes for readers until a member of the Medical Advisory Board confirms it" in (
        response.content.decode()
    )


def test_the_editor_is_told_before_recording_that_it_is_a_proposal(client, approved, editor, board_member):
    source = _cited(approved)
    change = reverse("admin:references_reference_change", args=[source.pk])

    client.force_login(editor)
    editor_form = client.get(_record_url(source)).content.decode()
    editor_change = client.get(change).content.decode()
    client.force_login(board_member)
    board_form = client.get(_record_url(source)).content.decode()
    board_change = client.get(change).content.decode()

    assert "You are proposing an event" in editor_form and 'value="Propose event"' in editor_form
    assert "Propose a retraction or supersession" in editor_change
    assert "you confirm it as you record it" in board_form and 'value="Record event"' in board_form
    assert "Record a retraction or supersession" in board_change


def test_the_board_finds_proposals_in_the_rereview_queue_and_the_event_list(client, approved, editor, board_member):
    source = _cited(approved)
    event = _proposed_miracle(source, editor)
    client.force_login(board_member)

    queue = client.get(QUEUE).content.decode()
    proposals = client.get(reverse("admin:reviews_sourceevent_changelist") + "?state=proposed").content.decode()
    confirmed = client.get(reverse("admin:reviews_sourceevent_changelist") + "?state=confirmed").content.decode()
    change = client.get(reverse("admin:reviews_sourceevent_change", args=[event.pk])).content.decode()
    reference_page = client.get(reverse("admin:references_reference_change", args=[source.pk])).content.decode()

    box = re.search(r'<section class="module source-events-needing-the-board".*?</section>', queue, re.S).group(0)
    assert "1 proposed source event waits for a board member to confirm or reject" in box
    assert reverse("admin:reviews_sourceevent_change", args=[event.pk]) in box and MIRACLE in box
    assert f"/admin/reviews/sourceevent/{event.pk}/change/" in proposals
    assert f"/admin/reviews/sourceevent/{event.pk}/change/" not in confirmed
    assert f'href="{_confirm_url(event)}"' in change and f'href="{_reject_url(event)}"' in change
    assert "None yet: a proposal." in change
    assert "Proposed, awaiting the board" in reference_page and "Nothing that readers see." in reference_page


def test_an_editor_cannot_confirm_or_reject_and_nothing_changes(client, approved, editor):
    reference_record_event(reference=_cited(approved), kind="retracted", occurred_on=date(2024, 3, 5), by=editor)
    event = SourceEvent.objects.get()
    before = _state()
    client.force_login(editor)

    change = client.get(reverse("admin:reviews_sourceevent_change", args=[event.pk])).content.decode()
    responses = [
        client.get(_confirm_url(event)),
        client.post(_confirm_url(event), {"reason": "Looks right"}),
        client.get(_reject_url(event)),
        client.post(_reject_url(event), {"reason": "Looks wrong"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert _confirm_url(event) not in change and _reject_url(event) not in change
    with pytest.raises(PermissionDenied):
        event_confirm(event=event, by=editor)
    with pytest.raises(PermissionDenied):
        event_reject(event=event, by=editor, reason="Looks wrong")
    assert _state() == before and event.state == SourceEvent.State.PROPOSED


# --- the board confirms ----------------------------------------------------------------------------


def test_a_board_member_confirms_an_editors_proposal_and_it_takes_effect(
    client, approved, editor, board_member, second_board_member, django_capture_on_commit_callbacks
):
    source = _cited(approved)
    newer = ReferenceFactory(title="Updated guideline on back pain", year=2025)
    reference_record_event(
        reference=source, kind="superseded", occurred_on=date(2025, 1, 10), replacement=newer, by=editor
    )
    event = SourceEvent.objects.get()
    client.force_login(board_member)
    page = client.get(_confirm_url(event)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _confirm_url(event),
            {"reason": "Checked the new guideline.", "notice": _shown_notice(page)},
            follow=True,
        )

    assert "Superseded by “Updated guideline on back pain” (2025)." in page  # what readers will be told
    assert approved.question in page  # and which answers it alerts
    assert response.redirect_chain[-1][0] == reverse("admin:reviews_sourceevent_change", args=[event.pk])
    assert "Confirmed. Readers now see the notice on this citation" in response.content.decode()
    decision = SourceEventDecision.objects.get()
    assert (decision.outcome, decision.by, decision.reason, decision.notice) == (
        "confirmed",
        board_member,
        "Checked the new guideline.",
        "Superseded by “Updated guideline on back pain” (2025).",
    )
    assert SourceEvent.objects.get().state == SourceEvent.State.CONFIRMED
    source.refresh_from_db()
    assert (source.superseded_by, source.superseded_on) == (newer, date(2025, 1, 10))
    assert SourceAlert.objects.open().filter(article=approved, event=event).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([board_member.email, second_board_member.email])
    client.logout()
    seen = _reader_copies(client, approved)
    assert seen.count("Superseded by “Updated guideline on back pain” (2025).") >= 2  # page and permalink
    # confirming twice is refused, and says what readers see
    with pytest.raises(SourceEventRefused, match="already confirmed .*readers see “Superseded by"):
        event_confirm(event=event, by=second_board_member)


def test_a_notice_changed_while_the_board_member_reads_it_is_not_confirmed(client, approved, editor, board_member):
    newer = ReferenceFactory(title="Updated guideline on back pain", year=2025)
    reference_record_event(
        reference=_cited(approved), kind="superseded", occurred_on=date(2025, 1, 10), replacement=newer, by=editor
    )
    event = SourceEvent.objects.get()
    client.force_login(board_member)
    page = client.get(_confirm_url(event)).content.decode()
    newer.title = MIRACLE  # edited meanwhile
    newer.save()
    before = _state()

    response = client.post(_confirm_url(event), {"reason": "", "notice": _shown_notice(page)})

    assert response.status_code == 200
    assert (
        f"The references were edited while you were looking: readers would now be told “Superseded by “{MIRACLE}” (2025).”"
        in html.unescape(response.content.decode())
    )
    assert _shown_notice(response.content.decode()) == f"Superseded by “{MIRACLE}” (2025)."
    assert _state() == before and event.state == SourceEvent.State.PROPOSED


def test_a_board_member_recording_an_event_confirms_it_as_they_record_it(approved, board_member):
    recorded = reference_record_event(
        reference=_cited(approved), kind="retracted", occurred_on=date(2024, 3, 5), by=board_member
    )

    decision = recorded.event.decisions.get()
    assert recorded.confirmed and recorded.alerts
    assert (decision.outcome, decision.by, decision.notice) == (
        "confirmed",
        board_member,
        "Retracted on March 5, 2024.",
    )


def test_a_proposal_that_no_longer_holds_cannot_be_confirmed(approved, editor, board_member):
    a, b = _cited(approved, 1), _cited(approved, 2)
    proposal = reference_record_event(
        reference=a, kind="superseded", occurred_on=date(2025, 1, 10), replacement=b, by=editor
    ).event
    # meanwhile the board records the opposite supersession: confirming the proposal would make a loop
    reference_record_event(
        reference=b, kind="superseded", occurred_on=date(2025, 1, 11), replacement=a, by=board_member
    )
    before = _state()

    with pytest.raises(SourceEventRefused) as refused:
        event_confirm(event=proposal, by=board_member)

    assert refused.value.messages == [
        "This proposal cannot take effect as it stands:",
        f"“{b.key}” is itself superseded by “{a.key}”.",
    ]
    assert _state() == before and proposal.state == SourceEvent.State.PROPOSED


def test_the_same_event_cannot_be_proposed_twice_nor_recorded_past_a_waiting_proposal(
    client, approved, editor, board_member
):
    source = _cited(approved)
    reference_record_event(reference=source, kind="retracted", occurred_on=date(2024, 3, 5), by=editor)

    client.force_login(editor)
    again = client.post(_record_url(source), {"kind": "retracted", "occurred_on": "2024-03-06"})
    with pytest.raises(SourceEventRefused, match="already proposed .* confirm or reject that proposal"):
        reference_record_event(reference=source, kind="retracted", occurred_on=date(2024, 3, 6), by=board_member)

    assert "is already proposed (by editor on " in again.content.decode()
    assert SourceEvent.objects.count() == 1


# --- the board rejects ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason_and_writes_nothing_without_one(client, approved, editor, board_member, reason):
    reference_record_event(reference=_cited(approved), kind="retracted", occurred_on=date(2024, 3, 5), by=editor)
    event = SourceEvent.objects.get()
    before = _state()
    client.force_login(board_member)

    response = client.post(_reject_url(event), {"reason": reason})

    assert response.status_code == 200 and "This field is required." in response.content.decode()
    with pytest.raises(SourceEventRefused, match="Say why the proposal is rejected"):
        event_reject(event=event, by=board_member, reason=reason)
    assert _state() == before


def test_a_rejected_proposal_stays_on_record_with_who_when_and_why_and_changes_nothing(
    client, approved, editor, board_member, second_board_member
):
    source = _cited(approved)
    event = _proposed_miracle(source, editor)
    before = _state()[:3]
    client.force_login(board_member)

    response = client.post(_reject_url(event), {"reason": "  A press release, not a guideline.  "}, follow=True)

    assert "Rejected. The proposal stays on record with your reason" in response.content.decode()
    decision = SourceEventDecision.objects.get()
    assert (decision.outcome, decision.by, decision.reason) == (
        "rejected",
        board_member,
        "A press release, not a guideline.",
    )
    assert decision.at is not None
    assert SourceEvent.objects.get().state == SourceEvent.State.REJECTED
    assert _state()[:3] == before
    change = client.get(reverse("admin:reviews_sourceevent_change", args=[event.pk])).content.decode()
    assert "Rejected by Dr. Bo Reviewer" in change and _confirm_url(event) not in change
    # decided once: neither confirmed nor rejected again, and the record cannot be rewritten
    with pytest.raises(SourceEventRefused, match="This proposal was rejected by Dr. Bo Reviewer, MD, FACP on "):
        event_confirm(event=event, by=second_board_member)
    with pytest.raises(SourceEventRefused, match="already rejected"):
        event_reject(event=event, by=second_board_member, reason="Again")
    decision.reason = "rewritten"
    with pytest.raises(ValidationError):
        decision.save()
    with pytest.raises(ValidationError):
        decision.delete()
    with pytest.raises(ValidationError):
        SourceEventDecision.objects.update(reason="rewritten in bulk")
    assert SourceEventDecision.objects.get().reason == "A press release, not a guideline."
    client.logout()
    assert MIRACLE not in _reader_copies(client, approved)
    # the same event may be proposed anew
    reference_record_event(
        reference=source,
        kind="superseded",
        occurred_on=date(2025, 1, 10),
        replacement=event.replacement,
        by=editor,
    )
    assert SourceEvent.objects.proposed().count() == 1
