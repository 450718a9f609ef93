"""Source events: a cited reference retracted or superseded alerts its answers, tells the board once,
and shows readers a notice on that citation until the board has approved a new version."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim, Publication, ReviewStatus, Withdrawal
from articles.publishing import article_publish
from references.models import Reference
from reviews.cadence import queue_counts, rereview_queue
from reviews.models import SourceAlert, SourceEvent
from reviews.models.currency import SourceEventDecision
from reviews.services import review_approve, review_request_changes, review_start, review_submit
from reviews.source_events import SourceEventRefused, alert_resolve, reference_record_event
from tests.helpers import ReferenceFactory, UserFactory, make_article, published_file, reapprove

pytestmark = pytest.mark.django_db

RETRACTED_ON = date(2024, 3, 5)


def _cited(article, number=1) -> Reference:
    """The reference cited as [number] by the article's current publication."""
    return article.current_publication.citations.get(number=number).reference


def _retract(reference, by, **kwargs):
    kwargs.setdefault("notice_url", "https://journal.example.org/retraction-notice")
    return reference_record_event(reference=reference, kind="retracted", occurred_on=RETRACTED_ON, by=by, **kwargs)


def _reference_item(page: str, number: int) -> str:
    return re.search(rf'<li class="reference[^"]*" id="ref-{number}".*?</li>', page, re.S).group(0)


def _drop_citation_of(article, reference, replacement):
    """Edit the working copy so that it no longer cites `reference` anywhere."""
    article = Article.objects.get(pk=article.pk)
    article.summary = article.summary.replace(f"@{reference.key}]", f"@{replacement.key}]")
    article.save()
    for claim in Claim.objects.filter(section__article=article, text__contains=f"@{reference.key}]"):
        claim.text = claim.text.replace(f"@{reference.key}]", f"@{replacement.key}]")
        claim.save()
    return article


# --- recording an event ----------------------------------------------------------------------


def test_a_retraction_marks_the_reference_and_alerts_only_answers_whose_current_publication_cites_it(
    approved, editor, board_member
):
    source = _cited(approved)
    # cited only by an older publication of another answer; by a draft; not at all
    moved_on = make_article(question="Moved on?", slug="moved-on", references=1)
    own = moved_on.cited_keys()[0]
    Claim.objects.filter(section__article=moved_on).update(text=f"Old claim [@{source.key}]")
    article_publish(article=moved_on, origin=Publication.Origin.APPROVAL)
    Claim.objects.filter(section__article=moved_on).update(text=f"New claim [@{own}]")
    article_publish(article=moved_on, origin=Publication.Origin.APPROVAL)
    draft = make_article(question="Draft?", slug="draft", references=1)
    Claim.objects.filter(section__article=draft).update(text=f"Draft claim [@{source.key}]")
    unrelated = make_article(question="Unrelated?", slug="unrelated")
    article_publish(article=unrelated, origin=Publication.Origin.APPROVAL)

    recorded = _retract(source, board_member, note="Data fabrication")

    source.refresh_from_db()
    assert (source.retracted_on, source.retraction_notice_url) == (
        RETRACTED_ON,
        "https://journal.example.org/retraction-notice",
    )
    event = SourceEvent.objects.get()
    assert (event.reference, event.kind, event.occurred_on, event.recorded_by, event.source, event.note) == (
        source,
        "retracted",
        RETRACTED_ON,
        board_member,
        "admin",
        "Data fabrication",
    )
    alert = SourceAlert.objects.get()
    assert recorded.alerts == [alert]
    assert (alert.article_id, alert.publication_id, alert.event, alert.is_open) == (
        approved.pk,
        approved.current_publication_id,
        event,
        True,
    )


def test_recording_an_event_unpublishes_nothing(client, approved, editor, board_member):
    _retract(_cited(approved), board_member)

    article = Article.objects.get(pk=approved.pk)
    assert article.current_publication_id == approved.current_publication_id
    assert article.review_status == ReviewStatus.APPROVED
    assert not Withdrawal.objects.exists()
    assert client.get(approved.get_absolute_url()).status_code == 200


def test_readers_see_retracted_on_the_date_on_that_citation_at_once_in_every_copy_of_the_page(
    client, under_review, board_member, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review_approve(review=under_review, by=board_member)
    article = Article.objects.select_related("current_publication").get(pk=under_review.article_id)
    url = article.get_absolute_url()
    first = client.get(url)
    assert first["X-Cache"] == "miss" and client.get(url)["X-Cache"] == "hit"
    assert b"Retracted on" not in first.content and b"Retracted on" not in published_file(article).read_bytes()
    body_before = article.current_publication.html
    source = _cited(article, 2)

    with django_capture_on_commit_callbacks(execute=True):
        _retract(source, board_member)

    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and response["X-Cache"] == "miss"  # the cached page was retired
    assert response["ETag"] != first["ETag"]
    item = _reference_item(page, 2)
    assert 'class="reference reference--flagged"' in item
    assert '<strong class="source-notice" role="note">Retracted on March 5, 2024.</strong>' in item
    assert "Retracted on" not in _reference_item(page, 1)
    assert "Source notice" in page
    # the static file nginx serves says the same; the reviewed body itself is untouched
    assert published_file(article).read_text() == page
    publication = Publication.objects.get(pk=article.current_publication_id)
    assert publication.html == body_before and publication.page_rendered_at is not None
    assert "Retracted on March 5, 2024." in publication.page_html  # stored, not rendered per request


def test_every_citation_of_the_flagged_source_in_the_text_carries_the_notice(client, approved, editor, board_member):
    _retract(_cited(approved, 2), board_member)

    page = client.get(approved.get_absolute_url()).content.decode()

    citations = re.findall(r'<a (class="citation--flagged" )?href="#ref-2"', page)
    assert len(citations) == 2 and all(citations)
    assert page.count('aria-label="Reference 2 (Retracted on March 5, 2024.)"') == 2
    assert "citation--flagged" not in _reference_item(page, 1)


def test_a_replacement_whose_title_has_a_backslash_is_recorded_and_shown(client, approved, editor, board_member):
    newer = ReferenceFactory(title=r"Scores \d and \s revisited", year=2025)

    reference_record_event(
        reference=_cited(approved), kind="superseded", occurred_on=date(2025, 1, 10), replacement=newer, by=board_member
    )

    page = client.get(approved.get_absolute_url()).content.decode()
    assert r"Superseded by “Scores \d and \s revisited” (2025)." in _reference_item(page, 1)


def test_the_permanent_address_of_a_version_also_shows_the_notice(client, approved, editor, board_member):
    source = _cited(approved)
    _retract(source, board_member)
    claim = Claim.objects.filter(section__article=approved).first()
    claim.text += " (rechecked)"
    claim.save()
    reapprove(approved, editor=editor, board=board_member)  # version 2 still cites it

    for number in (1, 2):
        page = client.get(reverse("articles:version", args=[approved.slug, number])).content.decode()
        assert "Retracted on March 5, 2024." in _reference_item(page, 1), f"version {number}"


def test_readers_see_superseded_by_the_replacement(client, approved, editor, board_member):
    source = _cited(approved)
    newer = ReferenceFactory(title="Updated guideline on back pain", year=2025)

    reference_record_event(
        reference=source, kind="superseded", occurred_on=date(2025, 1, 10), replacement=newer, by=board_member
    )

    source.refresh_from_db()
    assert (source.superseded_by, source.superseded_on) == (newer, date(2025, 1, 10))
    item = _reference_item(client.get(approved.get_absolute_url()).content.decode(), 1)
    assert "Superseded by “Updated guideline on back pain” (2025)." in item


def test_an_answer_in_review_when_the_event_is_recorded_shows_the_notice_and_can_still_be_approved(
    client, approved, editor, board_member
):
    Claim.objects.filter(section__article=approved).first().save()  # an update goes to review
    review = review_start(review=review_submit(article=approved, by=editor), by=board_member)

    _retract(_cited(approved), board_member)
    page = client.get(approved.get_absolute_url()).content.decode()  # rendered live while in review

    assert "Retracted on March 5, 2024." in _reference_item(page, 1)
    review_approve(review=review, by=board_member)  # the event is not a content change
    assert not SourceAlert.objects.open().exists()


# --- telling the board ----------------------------------------------------------------------


def test_the_board_is_emailed_once_after_commit(
    approved, editor, board_member, second_board_member, django_capture_on_commit_callbacks
):
    other = make_article(question="Also citing?", slug="also-citing", references=1)
    source = _cited(approved)
    Claim.objects.filter(section__article=other).update(text=f"Claim [@{source.key}]")
    article_publish(article=other, origin=Publication.Origin.APPROVAL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _retract(source, board_member)
        assert not mail.outbox  # nothing leaves before the event is committed
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([board_member.email, second_board_member.email])
    message = mail.outbox[0]
    assert message.subject == f"Source retracted: {source.key} — 2 answers to re-check"
    assert "Is ibuprofen safe?" in message.body and "Also citing?" in message.body
    assert "Event: Retracted on March 5, 2024" in message.body
    assert "/admin/reviews/rereviewqueue/" in message.body


def test_no_email_when_no_published_answer_cites_the_source(editor, board_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        recorded = _retract(ReferenceFactory(), board_member)

    assert recorded.alerts == [] and not mail.outbox
    assert SourceEvent.objects.count() == 1  # the event is still on record


# --- the re-review queue ----------------------------------------------------------------------


def test_an_alerted_answer_jumps_to_the_top_of_the_rereview_queue(approved, editor, board_member):
    overdue = make_article(question="Overdue?", slug="overdue")
    article_publish(article=overdue, origin=Publication.Origin.APPROVAL)
    Article.objects.filter(pk=overdue.pk).update(next_review_due=timezone.localdate() - timedelta(days=40))
    assert [a.slug for a in rereview_queue()] == ["overdue"]  # the fresh answer is not due

    _retract(_cited(approved), board_member)

    assert [a.slug for a in rereview_queue()] == [approved.slug, "overdue"]
    assert queue_counts() == {"overdue": 1, "due_soon": 0, "source_alerts": 1}


# --- until the board decides -------------------------------------------------------------------


def test_the_alert_stays_open_through_review_and_is_resolved_when_the_board_approves_a_new_version(
    client, approved, editor, board_member
):
    source = _cited(approved)
    [alert] = _retract(source, board_member).alerts
    other = _cited(approved, 2)
    article = _drop_citation_of(approved, source, other)

    review = review_submit(article=article, by=editor, change_summary="Drop the retracted study")
    assert SourceAlert.objects.get(pk=alert.pk).is_open
    review_start(review=review, by=board_member)
    review_request_changes(review=review, by=board_member, comment="Say why")
    assert SourceAlert.objects.get(pk=alert.pk).is_open
    article = reapprove(article, editor=editor, board=board_member)

    alert.refresh_from_db()
    assert (alert.resolution, alert.resolved_by) == (SourceAlert.Resolution.NEW_VERSION, board_member)
    assert alert.resolution_comment == "Version 2 approved; it no longer cites this source."
    assert alert.publication.number == 1  # the record keeps which version cited it
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Retracted on" not in page and "Source notice" not in page
    assert [a.slug for a in rereview_queue()] == []


def test_the_notice_stays_after_reapproval_while_the_new_version_still_cites_the_source(
    client, approved, editor, board_member
):
    source = _cited(approved)
    [alert] = _retract(source, board_member).alerts
    claim = Claim.objects.filter(section__article=approved).first()
    claim.text += " (checked again)"
    claim.save()

    article = reapprove(approved, editor=editor, board=board_member)

    alert.refresh_from_db()
    assert alert.resolution == SourceAlert.Resolution.NEW_VERSION
    assert alert.resolution_comment.endswith("it still cites this source, with the notice shown to readers.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Retracted on March 5, 2024." in _reference_item(page, 1)
    assert not SourceAlert.objects.open().exists()


# --- resolving an alert without a new version ---------------------------------------------------


def _resolve_url(alert):
    return reverse("admin:reviews_sourcealert_resolve", args=[alert.pk])


def test_an_editor_cannot_resolve_an_alert(client, approved, editor, board_member):
    [alert] = _retract(_cited(approved), board_member).alerts
    client.force_login(editor)

    assert client.get(_resolve_url(alert)).status_code == 403
    assert client.post(_resolve_url(alert), {"comment": "Looks fine to me"}).status_code == 403
    change = client.get(reverse("admin:reviews_sourcealert_change", args=[alert.pk])).content.decode()
    assert "Resolve: no change needed" not in change
    with pytest.raises(PermissionDenied):
        alert_resolve(alert=alert, by=editor, comment="Looks fine to me")
    assert SourceAlert.objects.get(pk=alert.pk).is_open


@pytest.mark.parametrize("comment", ["", "   "])
def test_resolving_an_alert_needs_a_reason(client, approved, editor, board_member, comment):
    [alert] = _retract(_cited(approved), board_member).alerts
    client.force_login(board_member)

    response = client.post(_resolve_url(alert), {"comment": comment})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert SourceAlert.objects.get(pk=alert.pk).is_open
    with pytest.raises(SourceEventRefused, match="Say why the answer can stay as it is"):
        alert_resolve(alert=alert, by=board_member, comment=comment)


def test_the_board_resolves_an_alert_with_its_reason_on_record_and_readers_keep_the_notice(
    client, approved, editor, board_member
):
    [alert] = _retract(_cited(approved), board_member).alerts
    client.force_login(board_member)
    change = client.get(reverse("admin:reviews_sourcealert_change", args=[alert.pk])).content.decode()

    response = client.post(_resolve_url(alert), {"comment": "  The other two sources carry the claim.  "})

    assert f'href="{_resolve_url(alert)}"' in change
    assert response.status_code == 302 and response["Location"] == reverse("admin:reviews_rereviewqueue_changelist")
    alert.refresh_from_db()
    assert (alert.resolution, alert.resolved_by, alert.resolution_comment) == (
        SourceAlert.Resolution.NO_CHANGE,
        board_member,
        "The other two sources carry the claim.",
    )
    assert alert.resolved_at is not None
    client.logout()
    assert "Retracted on March 5, 2024." in client.get(approved.get_absolute_url()).content.decode()
    assert [a.slug for a in rereview_queue()] == []
    # a second resolution is refused; the record cannot be rewritten or deleted
    client.force_login(board_member)
    again = client.post(_resolve_url(alert), {"comment": "Again"})
    assert "This alert is already resolved." in again.content.decode()
    alert.resolution_comment = "rewritten"
    with pytest.raises(ValidationError):
        alert.save()
    with pytest.raises(ValidationError):
        alert.delete()


def test_events_are_a_permanent_record(approved, editor, board_member):
    event = _retract(_cited(approved), board_member).event

    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        SourceEvent.objects.filter(pk=event.pk).update(note="rewritten in bulk")
    with pytest.raises(ValidationError):
        SourceEvent.objects.all().delete()
    with pytest.raises(ValidationError):
        SourceAlert.objects.get().delete()
    assert SourceEvent.objects.get(pk=event.pk).note == ""


def test_events_and_alerts_are_read_only_in_the_admin(client, approved, editor, admin_user, board_member):
    [alert] = _retract(_cited(approved), board_member).alerts
    client.force_login(admin_user)

    events = client.get(reverse("admin:reviews_sourceevent_changelist")).content.decode()
    alerts = client.get(reverse("admin:reviews_sourcealert_changelist") + "?open=yes").content.decode()

    assert _cited(approved).key in events and approved.question in alerts
    assert client.get(reverse("admin:reviews_sourceevent_add")).status_code == 403
    delete = reverse("admin:reviews_sourcealert_delete", args=[alert.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SourceAlert.objects.filter(pk=alert.pk).exists()


# --- the admin form that records an event -----------------------------------------------------


def _record_url(reference):
    return reverse("admin:references_reference_record_event", args=[reference.pk])


def test_the_admin_records_a_retraction(client, approved, editor, django_capture_on_commit_callbacks, board_member):
    source = _cited(approved)
    client.force_login(board_member)
    form = client.get(_record_url(source)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _record_url(source),
            {"kind": "retracted", "occurred_on": "2024-03-05", "notice_url": "https://example.org/notice"},
        )

    assert approved.question in form  # who is affected, before deciding
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:references_reference_change", args=[source.pk])
    event = SourceEvent.objects.get()
    assert (event.recorded_by, event.source, event.notice_url) == (board_member, "admin", "https://example.org/notice")
    assert SourceAlert.objects.open().count() == 1
    assert len(mail.outbox) == 1
    change = client.get(response["Location"]).content.decode()
    assert "1 published answer(s) cite this source" in change


def test_the_reference_change_form_links_to_recording_an_event_for_those_allowed(client, approved, editor):
    source = _cited(approved)
    change_url = reverse("admin:references_reference_change", args=[source.pk])
    reader = UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_reference"))
    client.force_login(editor)
    allowed = client.get(change_url).content.decode()
    client.force_login(reader)
    viewed = client.get(change_url)

    assert f'href="{_record_url(source)}"' in allowed
    assert viewed.status_code == 200 and _record_url(source) not in viewed.content.decode()


def test_the_reference_change_form_shows_what_happened_to_the_source(client, approved, editor, board_member):
    source = _cited(approved)
    _retract(source, board_member)
    client.force_login(editor)

    change = client.get(reverse("admin:references_reference_change", args=[source.pk])).content.decode()

    assert "Readers see: “Retracted on March 5, 2024.”" in change


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "retracted", "occurred_on": "tomorrow"}, "The date {tomorrow} is in the future."),
        ({"kind": "superseded", "occurred_on": "2024-03-05"}, "A superseded reference needs the reference that"),
        ({"kind": "retracted", "occurred_on": "2024-03-05", "replacement": "other"}, "A retraction has no replacement"),
        ({"kind": "retracted", "occurred_on": "5 March"}, "Enter a valid date."),
        ({"kind": "retracted", "occurred_on": ""}, "This field is required."),
        ({"kind": "withdrawn", "occurred_on": "2024-03-05"}, "Select a valid choice. withdrawn is not one of"),
        ({"kind": "retracted", "occurred_on": "2024-03-05", "notice_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"kind": "superseded", "occurred_on": "2024-03-05", "replacement": "self"}, "Select a valid choice."),
    ],
)
def test_the_admin_form_refuses_bad_input_and_writes_nothing(client, approved, editor, data, message):
    source = _cited(approved)
    other = _cited(approved, 2)
    data = {**data}
    if data.get("occurred_on") == "tomorrow":
        data["occurred_on"] = _tomorrow()
    if "replacement" in data:
        data["replacement"] = str({"other": other, "self": source}[data["replacement"]].pk)
    client.force_login(editor)

    response = client.post(_record_url(source), data)

    assert response.status_code == 200
    assert message.format(tomorrow=_tomorrow()) in response.content.decode()
    assert not SourceEvent.objects.exists() and not SourceAlert.objects.exists()
    source.refresh_from_db()
    assert not source.has_event and source.superseded_on is None


def test_the_admin_refuses_to_record_the_same_retraction_twice(client, approved, editor, board_member):
    source = _cited(approved)
    _retract(source, board_member)
    client.force_login(editor)

    response = client.post(_record_url(source), {"kind": "retracted", "occurred_on": "2024-04-01"})

    assert f"“{source.key}” is already recorded as retracted on 2024-03-05." in response.content.decode()
    assert SourceEvent.objects.count() == 1
    source.refresh_from_db()
    assert source.retracted_on == RETRACTED_ON


def test_a_reference_cannot_be_superseded_by_one_it_supersedes(approved, editor, board_member):
    source, other = _cited(approved), _cited(approved, 2)
    reference_record_event(
        reference=other, kind="superseded", occurred_on=RETRACTED_ON, replacement=source, by=board_member
    )

    with pytest.raises(SourceEventRefused, match="is itself superseded by"):
        reference_record_event(
            reference=source, kind="superseded", occurred_on=RETRACTED_ON, replacement=other, by=board_member
        )


def test_staff_without_the_permission_cannot_record_events(client, approved):
    source = _cited(approved)
    visitor = UserFactory(username="visitor")  # staff, no group
    client.force_login(visitor)

    assert client.get(_record_url(source)).status_code == 403
    assert client.post(_record_url(source), {"kind": "retracted", "occurred_on": "2024-03-05"}).status_code == 403
    with pytest.raises(PermissionDenied):
        _retract(source, visitor)
    assert not SourceEvent.objects.exists()


def test_a_retraction_recorded_while_an_approval_renders_still_reaches_its_page(
    under_review, board_member, django_capture_on_commit_callbacks
):
    """The event's transaction cannot see a publication not yet committed; the approval checks again
    once committed, so the page gets its notice whichever commits first."""
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        review_approve(review=under_review, by=board_member)  # rendered: nothing retracted yet
        publication = Article.objects.get(pk=under_review.article_id).current_publication
        assert "source-notice" not in publication.page_html
        # meanwhile, committed first: the board confirms the source retracted (as its transaction writes it)
        source = _cited(publication.article)
        event = SourceEvent.objects.create(
            reference=source, kind="retracted", occurred_on=RETRACTED_ON, recorded_by=board_member
        )
        SourceEventDecision.objects.create(
            event=event, outcome="confirmed", notice="Retracted on March 5, 2024.", by=board_member
        )
        Reference.objects.filter(pk=source.pk).update(retracted_on=RETRACTED_ON)
    for callback in after_commit:
        callback()

    publication.refresh_from_db()
    assert "Retracted on March 5, 2024." in _reference_item(publication.page_html, 1)
