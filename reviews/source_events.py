"""Source events (a cited reference retracted or superseded), how they take effect, and the
alerts they open.

Recording an event is a proposal unless the Medical Advisory Board records it: an editor (or a
file imported without a board member) proposes, the board confirms or rejects it
(`reviews.source_event_decisions`); until then nothing changes for readers. When it takes effect — recorded by a board member, or confirmed by
one — the notice readers will see is frozen with the confirmation, the reference is marked, every
answer whose *current* publication cites it gets an open alert (and moves to the top of the
re-review queue), its public page is re-rendered with the notice on that citation, every page
showing a version that cites it is retired from the cache, and the board is emailed. Nothing is
unpublished: the board decides, and its decision — approving a new version, or re-checking and
keeping the answer — resolves the alert. Events, decisions and resolutions are permanent records.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Publication, PublicationCitation
from articles.published_files import answer_pages_changed
from articles.publishing import publication_rerender_page
from core.people import display_name
from references.models import Reference
from reviews import notifications
from reviews.models import SourceAlert, SourceEvent
from reviews.models.currency import SourceEventDecision


class SourceEventRefused(ValidationError):
    """The event cannot be recorded (or decided) as given; the messages say why."""


@dataclass
class RecordedEvent:
    event: SourceEvent
    alerts: list[SourceAlert]
    confirmed: bool = True  # False: a proposal, waiting for the board


def _supersedes_back(reference, replacement, planned=None) -> bool:
    """Whether following "superseded by" from `replacement` leads back to `reference` (a loop).

    `planned` maps reference pk → replacement pk for supersessions about to be recorded with
    this one (the rows of a CSV above it), so a file cannot build a loop one row at a time.
    """
    planned = planned or {}
    seen, current = set(), replacement.pk
    while current is not None and current not in seen:
        if current == reference.pk:
            return True
        seen.add(current)
        current = (
            planned.get(current)
            or Reference.objects.filter(pk=current).values_list("superseded_by_id", flat=True).first()
        )
    return False


def event_problems(reference, kind, occurred_on, replacement, planned=None, *, deciding=None) -> list[str]:
    """What stands against recording this event now (or, `deciding` a proposal, confirming it)."""
    problems = []
    if kind not in SourceEvent.Kind.values:
        problems.append(f"Unknown event “{kind}”: use retracted or superseded.")
    if occurred_on is None:
        problems.append("Give the date of the event.")
    elif occurred_on > timezone.localdate():
        problems.append(f"The date {occurred_on.isoformat()} is in the future.")
    if kind == SourceEvent.Kind.SUPERSEDED:
        if replacement is None:
            problems.append("A superseded reference needs the reference that replaces it.")
        elif replacement.pk == reference.pk:
            problems.append("A reference cannot supersede itself.")
        elif _supersedes_back(reference, replacement, planned):
            problems.append(f"“{replacement.key}” is itself superseded by “{reference.key}”.")
    elif kind == SourceEvent.Kind.RETRACTED and replacement is not None:
        problems.append("A retraction has no replacement; record a supersession for that.")
    if kind == SourceEvent.Kind.RETRACTED and reference.retracted_on:
        problems.append(f"“{reference.key}” is already recorded as retracted on {reference.retracted_on.isoformat()}.")
    if kind == SourceEvent.Kind.SUPERSEDED and replacement is not None and reference.superseded_by_id == replacement.pk:
        problems.append(f"“{reference.key}” is already recorded as superseded by “{replacement.key}”.")
    waiting = SourceEvent.objects.proposed().filter(reference=reference, kind=kind)
    if kind == SourceEvent.Kind.SUPERSEDED:
        waiting = waiting.filter(replacement=replacement)
    if deciding is not None:
        waiting = waiting.exclude(pk=deciding.pk)
    if kind in SourceEvent.Kind.values and (proposal := waiting.select_related("recorded_by").first()):
        problems.append(
            f"The same event for “{reference.key}” is already proposed (by "
            f"{display_name(proposal.recorded_by, default='an import')} on {proposal.recorded_at:%Y-%m-%d}) "
            "and waits for the board: confirm or reject that proposal."
        )
    return problems


def may_record_events(user) -> bool:
    """Who maintains the bibliography records events; unless they may confirm them, as proposals."""
    return user.has_perm("reviews.add_sourceevent")


def may_confirm_events(user) -> bool:
    """The Medical Advisory Board: what readers are told about a source is its decision."""
    return user is not None and user.has_perm("reviews.confirm_sourceevent")


def lock_references(reference, replacement):
    """The reference and its replacement re-read under row locks, in pk order so two events never
    wait on each other. Checks run on these, never on copies read earlier: two people recording the
    same retraction at once, or A superseded by B while B is superseded by A, cannot both pass."""
    pks = sorted({reference.pk} | ({replacement.pk} if replacement is not None else set()))
    locked = {pk: Reference.objects.select_for_update().get(pk=pk) for pk in pks}
    return locked[reference.pk], (locked[replacement.pk] if replacement is not None else None)


def reference_record_event(
    *,
    reference: Reference,
    kind: str,
    occurred_on: date | None,
    by,
    notice_url: str = "",
    replacement: Reference | None = None,
    note: str = "",
    source: str = "admin",
    notify: bool = True,
) -> RecordedEvent:
    """Record that `reference` was retracted or superseded: confirmed at once when `by` may confirm
    events (the board), else a proposal that changes nothing until a board member confirms it."""
    if by is not None and not may_record_events(by):
        raise PermissionDenied(f"{by} may not record source events.")
    with transaction.atomic():
        reference, replacement = lock_references(reference, replacement)
        problems = event_problems(reference, kind, occurred_on, replacement)
        if problems:
            raise SourceEventRefused(problems)
        event = SourceEvent(
            reference=reference,
            kind=kind,
            occurred_on=occurred_on,
            notice_url=notice_url,
            replacement=replacement,
            note=note,
            source=source[:200],
            recorded_by=by,
        )
        event.full_clean()
        event.save()
        if not may_confirm_events(by):
            return RecordedEvent(event=event, alerts=[], confirmed=False)
        alerts = event_take_effect(event, by=by, notify=notify)
    return RecordedEvent(event=event, alerts=alerts)


def refresh_citing_pages(reference) -> list[Article]:
    """Re-render the stored page of every answer whose current publication cites `reference`, and
    retire the cached pages of every answer any version of which cites it (permalinks show the
    notice too). Returns the answers whose current publication cites it."""
    citing = list(
        Article.objects.filter(current_publication__citations__reference=reference)
        .select_related("current_publication", "topic")
        .distinct()
        .order_by("pk")
    )
    for article in citing:
        if not publication_rerender_page(article.current_publication, article=article):
            answer_pages_changed(article.slug)
    current = {article.slug for article in citing}
    for slug in (
        Article.objects.filter(publications__citations__reference=reference).values_list("slug", flat=True).distinct()
    ):
        if slug not in current:
            answer_pages_changed(slug)  # its permalinks show the notice; durable, like every page change
    return citing


def event_take_effect(event: SourceEvent, *, by, reason: str = "", notify: bool = True) -> list[SourceAlert]:
    """The event takes effect, in the caller's transaction (its references locked): the board's
    confirmation with the notice frozen as it reads now, the reference marked, the citing answers
    alerted and re-rendered, the board's emails enqueued (sent by the worker once this commits)."""
    SourceEventDecision.objects.create(
        event=event,
        outcome=SourceEventDecision.Outcome.CONFIRMED,
        notice=event.reader_notice(),
        reason=reason,
        by=by,
    )
    reference = event.reference
    if event.kind == SourceEvent.Kind.RETRACTED:
        fields = {"retracted_on": event.occurred_on, "retraction_notice_url": event.notice_url}
    else:
        fields = {"superseded_by": event.replacement, "superseded_on": event.occurred_on}
    # Event fields only: not a content edit, so no new version of the reference is made.
    Reference.objects.filter(pk=reference.pk).update(**fields)
    alerts = []
    for article in refresh_citing_pages(reference):
        alert, created = SourceAlert.objects.get_or_create(
            article=article, event=event, defaults={"publication": article.current_publication}
        )
        if created:
            alerts.append(alert)
    if notify and alerts:
        notifications.notify_source_alerts(alert_ids=[a.pk for a in alerts])
    return alerts


def may_resolve_alerts(user) -> bool:
    return user.has_perm("reviews.resolve_sourcealert")


def alert_resolve(*, alert: SourceAlert, by, comment: str) -> SourceAlert:
    """The board re-checked the answer and keeps it as it is; the reason is recorded."""
    if not may_resolve_alerts(by):
        raise PermissionDenied(f"{by} may not resolve source alerts: the Medical Advisory Board decides.")
    if not (comment or "").strip():
        raise SourceEventRefused("Say why the answer can stay as it is (what you re-checked).")
    with transaction.atomic():
        alert = SourceAlert.objects.select_for_update().get(pk=alert.pk)
        if not alert.is_open:
            raise SourceEventRefused("This alert is already resolved.")
        alert.resolved_at = timezone.now()
        alert.resolved_by = by
        alert.resolution = SourceAlert.Resolution.NO_CHANGE
        alert.resolution_comment = comment.strip()
        alert.save()
    return alert


def alerts_resolve_by_approval(*, article_id: int, publication: Publication, by) -> int:
    """A new version approved by the board resolves the answer's open alerts (called by review_approve)."""
    now = timezone.now()
    count = 0
    for alert in SourceAlert.objects.open().select_for_update().filter(article_id=article_id).select_related("event"):
        still_cited = PublicationCitation.objects.filter(
            publication=publication, reference_id=alert.event.reference_id
        ).exists()
        alert.resolved_at = now
        alert.resolved_by = by
        alert.resolution = SourceAlert.Resolution.NEW_VERSION
        alert.resolution_comment = f"Version {publication.number} approved" + (
            "; it still cites this source, with the notice shown to readers."
            if still_cited
            else "; it no longer cites this source."
        )
        alert.save()
        count += 1
    return count


# --- bulk: a CSV of events ----------------------------------------------------------------

CSV_COLUMNS = ("identifier", "event", "date", "replacement", "notice_url", "note")
MAX_CSV_BYTES = 5 * 1024 * 1024


def find_reference(identifier: str) -> Reference | None:
    """The reference with this DOI or PubMed ID (or key); raises ValueError on a malformed identifier."""
    from references.identifiers import normalise_doi, normalise_pmid

    value = (identifier or "").strip()
    if not value:
        raise ValueError("no DOI or PubMed ID given")
    if value.lower().startswith(("10.", "doi:", "http")):
        return Reference.objects.filter(doi__iexact=normalise_doi(value)).first()
    if value.isdigit() or value.lower().startswith("pmid"):
        return Reference.objects.filter(pmid=normalise_pmid(value)).first()
    return Reference.objects.filter(key=value).first()


@dataclass
class PlannedEvent:
    line: int
    reference: Reference
    kind: str
    occurred_on: date
    replacement: Reference | None
    notice_url: str
    note: str


def parse_events_csv(text: str, *, name: str = "CSV") -> list[PlannedEvent]:
    """Every row checked before anything is written: raise SourceEventRefused listing each bad line."""
    import csv
    import io

    from django.core.validators import URLValidator

    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("identifier", "event", "date") if c not in header]
    if missing:
        raise SourceEventRefused(
            f"{name}: the first line must name the columns {', '.join(CSV_COLUMNS)} "
            f"(identifier, event and date are required); missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    errors, planned, seen, supersessions = [], [], {}, {}
    for row in reader:
        line = reader.line_num
        row = {k: (v or "").strip() for k, v in row.items() if k}
        problems = []
        reference = replacement = None
        try:
            reference = find_reference(row.get("identifier", ""))
            if reference is None:
                problems.append(f"no reference has the identifier “{row['identifier']}”")
        except ValueError as exc:
            problems.append(str(exc))
        kind = row.get("event", "").lower()
        occurred_on = None
        try:
            occurred_on = date.fromisoformat(row.get("date", ""))
        except ValueError:
            problems.append(f"“{row.get('date', '')}” is not a date; write it as YYYY-MM-DD")
        if row.get("replacement"):
            try:
                replacement = find_reference(row["replacement"])
                if replacement is None:
                    problems.append(f"no reference has the replacement identifier “{row['replacement']}”")
            except ValueError as exc:
                problems.append(f"replacement: {exc}")
        notice_url = row.get("notice_url", "")
        if notice_url:
            try:
                URLValidator(schemes=["http", "https"])(notice_url)
            except ValidationError:
                problems.append(f"“{notice_url}” is not a web address")
        if reference is not None and not problems:
            problems += [
                p.rstrip(".") for p in event_problems(reference, kind, occurred_on, replacement, supersessions)
            ]
            if (reference.pk, kind) in seen:
                problems.append(f"the same event for this reference is already on line {seen[(reference.pk, kind)]}")
        if problems:
            errors.append(f"{name}:{line}: " + "; ".join(problems) + ".")
            continue
        seen[(reference.pk, kind)] = line
        if kind == SourceEvent.Kind.SUPERSEDED:
            supersessions[reference.pk] = replacement.pk
        planned.append(PlannedEvent(line, reference, kind, occurred_on, replacement, notice_url, row.get("note", "")))
    if errors:
        raise SourceEventRefused(errors)
    if not planned:
        raise SourceEventRefused(f"{name}: no events in the file.")
    return planned


def import_source_events(text: str, *, by=None, name: str = "CSV") -> list[RecordedEvent]:
    """Record every event of the CSV, or none of them: confirmed when `by` is a board member,
    else (an editor, or no one named) as proposals for the board."""
    planned = parse_events_csv(text, name=name)
    recorded = []
    with transaction.atomic():
        for item in planned:
            try:
                recorded.append(
                    reference_record_event(
                        reference=item.reference,
                        kind=item.kind,
                        occurred_on=item.occurred_on,
                        by=by,
                        notice_url=item.notice_url,
                        replacement=item.replacement,
                        note=item.note,
                        source=f"{name}:{item.line}",
                    )
                )
            except SourceEventRefused as exc:
                # Changed since the file was checked (someone recorded an event meanwhile): leaving
                # the block by this exception rolls back the rows already recorded from the file.
                raise SourceEventRefused(
                    [f"{name}:{item.line}: " + "; ".join(m.rstrip(".") for m in exc.messages) + "."]
                ) from None
    return recorded
