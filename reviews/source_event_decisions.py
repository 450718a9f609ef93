"""The board's decisions on source events: confirming a proposal (it takes effect, see
`reviews.source_events`), confirming a notice again after its replacement was edited, rejecting a
proposal with the reason, and what waits for the board. Every decision is a permanent record."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from core.people import display_name
from reviews.models import SourceEvent
from reviews.models.currency import SourceEventDecision
from reviews.source_events import (
    RecordedEvent,
    SourceEventRefused,
    event_problems,
    event_take_effect,
    lock_references,
    may_confirm_events,
    refresh_citing_pages,
)


def _locked_event(event: SourceEvent) -> SourceEvent:
    """The event re-read under a row lock (decisions on it are taken one after another), with its
    references locked too."""
    event = SourceEvent.objects.select_for_update().get(pk=event.pk)
    event.reference, event.replacement = lock_references(event.reference, event.replacement)
    return event


def _decided(event) -> tuple[SourceEventDecision | None, SourceEventDecision | None]:
    """(the latest confirmation, the rejection) of the event, either None."""
    decisions = list(event.decisions.select_related("by"))
    confirmed = next((d for d in decisions if d.outcome == SourceEventDecision.Outcome.CONFIRMED), None)
    rejected = next((d for d in decisions if d.outcome == SourceEventDecision.Outcome.REJECTED), None)
    return confirmed, rejected


def _when(decision) -> str:
    return f"{display_name(decision.by, default='the importer')} on {timezone.localtime(decision.at):%Y-%m-%d}"


def outdated_notice(event: SourceEvent) -> tuple[str, str] | None:
    """(the notice readers see, the notice as it would read now) for a confirmed supersession in
    effect whose replacement was edited since the board confirmed it; None otherwise."""
    if event.kind != SourceEvent.Kind.SUPERSEDED or event.reference.superseded_by_id != event.replacement_id:
        return None
    confirmed, _ = _decided(event)
    if confirmed is None or confirmed.notice == event.reader_notice():
        return None
    return confirmed.notice, event.reader_notice()


def event_confirm(*, event: SourceEvent, by, reason: str = "", seen_notice: str | None = None) -> RecordedEvent:
    """A board member confirms a proposed event: it takes effect now, as if they had recorded it.
    On a confirmed supersession whose replacement was edited since, it confirms the notice again:
    readers then see it as it reads now (no new alerts, no email).

    `seen_notice` is the notice the board member was shown: if the references were edited since,
    so that readers would be told something else, nothing is confirmed."""
    if not may_confirm_events(by):
        raise PermissionDenied(f"{by} may not confirm source events: the Medical Advisory Board decides.")
    with transaction.atomic():
        event = _locked_event(event)
        if seen_notice is not None and seen_notice != event.reader_notice():
            raise SourceEventRefused(
                f"The references were edited while you were looking: readers would now be told "
                f"“{event.reader_notice()}”. Check it, then confirm again."
            )
        confirmed, rejected = _decided(event)
        if rejected is not None:
            raise SourceEventRefused(
                f"This proposal was rejected by {_when(rejected)}; record the event again to propose it anew."
            )
        if confirmed is not None:
            outdated = outdated_notice(event)
            if outdated is None:
                raise SourceEventRefused(
                    f"This event is already confirmed (by {_when(confirmed)}); readers see “{confirmed.notice}”."
                )
            SourceEventDecision.objects.create(
                event=event,
                outcome=SourceEventDecision.Outcome.CONFIRMED,
                notice=outdated[1],
                reason=reason.strip(),
                by=by,
            )
            refresh_citing_pages(event.reference)
            return RecordedEvent(event=event, alerts=[])
        problems = event_problems(event.reference, event.kind, event.occurred_on, event.replacement, deciding=event)
        if problems:
            raise SourceEventRefused(["This proposal cannot take effect as it stands:", *problems])
        alerts = event_take_effect(event, by=by, reason=reason.strip())
    return RecordedEvent(event=event, alerts=alerts)


def event_reject(*, event: SourceEvent, by, reason: str) -> SourceEventDecision:
    """A board member rejects a proposed event, saying why; it stays on record and changed nothing."""
    if not may_confirm_events(by):
        raise PermissionDenied(f"{by} may not reject source events: the Medical Advisory Board decides.")
    if not (reason or "").strip():
        raise SourceEventRefused("Say why the proposal is rejected: the reason is kept with your name.")
    with transaction.atomic():
        event = _locked_event(event)
        confirmed, rejected = _decided(event)
        if confirmed is not None or rejected is not None:
            decision = confirmed or rejected
            raise SourceEventRefused(
                f"This event is already {decision.get_outcome_display()} (by {_when(decision)}): only a proposal can be rejected."
            )
        return SourceEventDecision.objects.create(
            event=event, outcome=SourceEventDecision.Outcome.REJECTED, reason=reason.strip(), by=by
        )


def events_needing_the_board() -> tuple[list[SourceEvent], list[tuple[SourceEvent, str, str]]]:
    """Proposals waiting for a decision (oldest first), and confirmed supersessions whose notice
    is out of date (the replacement edited since: what readers see, and what it would say)."""
    proposals = list(
        SourceEvent.objects.proposed().select_related("reference", "replacement", "recorded_by").order_by("recorded_at")
    )
    latest = SourceEventDecision.objects.filter(
        event=OuterRef("pk"), outcome=SourceEventDecision.Outcome.CONFIRMED
    ).order_by("-at", "-pk")
    in_effect = (
        SourceEvent.objects.confirmed()
        .filter(kind=SourceEvent.Kind.SUPERSEDED, reference__superseded_by=F("replacement"))
        .annotate(confirmed_notice=Subquery(latest.values("notice")[:1]))
        .select_related("reference", "replacement")
        .order_by("recorded_at")
    )
    outdated = [
        (event, event.confirmed_notice, event.reader_notice())
        for event in in_effect
        if event.confirmed_notice != event.reader_notice()
    ]
    return proposals, outdated
