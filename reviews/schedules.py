"""Scheduled publishing and withdrawal: the services and the periodic job.

Publishing. The approval that completes a cycle may name a minute ("Publish on", in the site's
time zone, in the future). The cycle is then approved but nothing is published: no `Publication`
row exists before the minute, so the reader page, the API, the feed and the sitemap keep showing
the previous publication (or nothing: 404). A pending `Schedule` names the cycle, whose frozen
content is what will be published. Meanwhile the article's review status is "Approved" and its
working copy is editable (it is not what gets published); a new submission is refused until the
schedule is carried out or cancelled, so no later version can be overtaken. The periodic job
`schedules_run_due` (every minute, `ORACLE_PERIODIC_JOBS`) publishes through the same
`articles.publishing.article_publish` an approval uses; each schedule row is taken under a row
lock and only while pending, so two workers or two runs publish it once. If some other path
published the answer after the schedule was made (the importer), the schedule fails rather than
replace a newer version.

Withdrawal. The board (`articles.withdraw_article`, the permission of the article page's
"Withdraw from public view") schedules a withdrawal with the reason readers will see; the job
calls `articles.publishing.article_withdraw_from_public` as the person who scheduled it.

Cancelling needs `reviews.cancel_schedule` (the board). Creation, cancellation, execution and
failure each append a `ScheduleEvent`.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, Publication, ReviewStatus
from articles.publishing import article_publish, article_withdraw_from_public
from core.people import display_name
from core.tasks import effect
from reviews.models import Schedule, ScheduleEvent

logger = logging.getLogger("oracle.schedules")

MAX_AHEAD = datetime.timedelta(days=366 * 2)


def when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def parse_due(value, *, what="Publish on", now=None) -> tuple[datetime.datetime | None, list[str]]:
    """A "date and time" field's value (``YYYY-MM-DDTHH:MM`` from the browser, in the site's time
    zone, or an aware datetime) → (the minute, []), or (None, [why not]). Empty → (None, [])."""
    now = now or timezone.now()
    if value in (None, ""):
        return None, []
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            return None, [f"“{what}”: enter a date and a time, e.g. 2027-03-01 09:00."]
    if not isinstance(value, datetime.datetime):
        return None, [f"“{what}”: enter a date and a time."]
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    value = value.replace(second=0, microsecond=0)
    if value <= now:
        return None, [f"“{what}” must be in the future (it is {when(now)} now); leave it empty to act at once."]
    if value > now + MAX_AHEAD:
        return None, [f"“{what}” is at most two years ahead."]
    return value, []


def _event(schedule, action, *, by=None, note=""):
    return ScheduleEvent.objects.create(schedule=schedule, action=action, by=by, note=note)


def pending_publication(article_id) -> Schedule | None:
    return Schedule.objects.pending().filter(article_id=article_id, kind=Schedule.Kind.PUBLISH).first()


def pending_for(article_id) -> list[Schedule]:
    return list(Schedule.objects.pending().filter(article_id=article_id).select_related("created_by"))


def schedule_publication(*, review, by, due_at) -> Schedule:
    """Record that the approved `review` is published at `due_at` (inside the approval's transaction)."""
    schedule = Schedule.objects.create(
        kind=Schedule.Kind.PUBLISH, article_id=review.article_id, review=review, due_at=due_at, created_by=by
    )
    _event(schedule, ScheduleEvent.Action.CREATED, by=by, note=f"Publication of the approved version on {when(due_at)}")
    return schedule


def schedule_withdrawal(*, article: Article, by, due_at, reason: str) -> Schedule:
    """The board schedules the answer's withdrawal from public view, with the reason readers see."""
    if not by.has_perm("articles.withdraw_article"):
        raise PermissionDenied(f"{by} may not withdraw answers from public view.")
    due, problems = parse_due(due_at, what="Withdraw on")
    reason = (reason or "").strip()
    if due is None and not problems:
        problems.append("“Withdraw on”: enter the date and time of the withdrawal.")
    if not reason:
        problems.append("Give the reason readers will see: it is required to withdraw an answer.")
    if len(reason) > 2000:
        problems.append("The reason is at most 2,000 characters.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.current_publication_id is None and pending_publication(article.pk) is None:
            problems.append("This answer is not public, so there is nothing to withdraw.")
        if problems:
            raise ValidationError(problems)
        try:
            with transaction.atomic():
                schedule = Schedule.objects.create(
                    kind=Schedule.Kind.WITHDRAW, article=article, due_at=due, reason=reason, created_by=by
                )
        except IntegrityError:
            raise ValidationError("A withdrawal of this answer is already scheduled; cancel it first.") from None
        _event(schedule, ScheduleEvent.Action.CREATED, by=by, note=f"Withdrawal on {when(due)}: {reason}")
    return schedule


def schedule_cancel(*, schedule: Schedule, by, note: str = "") -> Schedule:
    """The board cancels a pending schedule. A cancelled publication leaves the cycle approved and
    unpublished: readers keep what they see; the article may be submitted again."""
    if not by.has_perm("reviews.cancel_schedule"):
        raise PermissionDenied(f"{by} may not cancel schedules.")
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
        if not schedule.is_pending:
            raise ValidationError(f"This schedule is already {schedule.get_state_display().lower()}.")
        schedule.state = Schedule.State.CANCELLED
        schedule.closed_by, schedule.closed_at = by, timezone.now()
        schedule.save(update_fields=["state", "closed_by", "closed_at"])
        _event(schedule, ScheduleEvent.Action.CANCELLED, by=by, note=(note or "").strip())
    return schedule


def _publish(schedule: Schedule) -> None:
    from reviews import notifications
    from reviews.services import signatures_of
    from reviews.source_events import alerts_resolve_by_approval

    review = schedule.review
    article = Article.objects.select_related("current_publication").get(pk=schedule.article_id)
    live = article.current_publication
    if live is not None and live.published_at > schedule.created_at:
        raise ValidationError(
            f"Version {live.number} was published after this schedule was made; the older approved version "
            "is not published over it."
        )
    withdrawn = article.withdrawals.filter(at__gt=schedule.created_at).order_by("-at").first()
    if withdrawn is not None:
        # a withdrawal is the board taking the answer down: a schedule made before it never brings it back
        raise ValidationError(
            f"The answer was withdrawn from public view after this schedule was made "
            f"({when(withdrawn.at)}: {withdrawn.reason}); it is not published again by this schedule."
        )
    # what the completing approval told readers (articles/change_notes.py), as an immediate one would
    completing = review.approvals.order_by("-at", "-id").first()
    publication = article_publish(
        article=article,
        origin=Publication.Origin.APPROVAL,
        by=schedule.created_by,
        revision=review.revision,
        content=review.content,
        change_summary=review.change_summary,
        change_class=completing.change_class if completing else "",
        change_note=completing.change_note if completing else "",
        reviewed_by=signatures_of(review),
    )
    type(review).objects.filter(pk=review.pk).update(publication=publication)
    review.publication = publication
    schedule.publication = publication
    alerts_resolve_by_approval(article_id=article.pk, publication=publication, by=schedule.created_by)
    notifications.notify_approved(review_id=review.pk)
    if article.review_status != ReviewStatus.APPROVED:
        Article.objects.filter(pk=article.pk).update(review_status=ReviewStatus.APPROVED)


def _withdraw(schedule: Schedule) -> None:
    by = schedule.created_by
    if by is None or not by.is_active:
        raise PermissionDenied("The person who scheduled this withdrawal can no longer withdraw answers.")
    schedule.withdrawal = article_withdraw_from_public(article=schedule.article, by=by, reason=schedule.reason)


def schedule_execute(*, schedule_id: int, now=None) -> bool:
    """Carry out one due schedule, once: True if this call did it. A refusal (no longer
    permitted, nothing to withdraw, overtaken) marks it failed, with the reason, in the trail."""
    now = now or timezone.now()
    with transaction.atomic():
        schedule = (
            Schedule.objects.select_for_update(of=("self",))
            .select_related("review__revision", "created_by")
            .filter(pk=schedule_id, state=Schedule.State.PENDING, due_at__lte=now)
            .first()
        )
        if schedule is None:
            return False  # not due, cancelled, or another worker carried it out
        try:
            with transaction.atomic():
                (_publish if schedule.kind == Schedule.Kind.PUBLISH else _withdraw)(schedule)
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            schedule.state, schedule.error = Schedule.State.FAILED, message
            schedule.closed_at = now
            schedule.save(update_fields=["state", "error", "closed_at"])
            _event(schedule, ScheduleEvent.Action.FAILED, note=message)
            logger.warning("Schedule %s failed: %s", schedule.pk, message)
            return False
        schedule.state, schedule.closed_at = Schedule.State.DONE, now
        schedule.save(update_fields=["state", "closed_at", "publication", "withdrawal"])
        if schedule.kind == Schedule.Kind.PUBLISH:
            note = f"Published as version {schedule.publication.number}"
        else:
            note = f"Withdrawn from public view: {schedule.reason}"
        _event(schedule, ScheduleEvent.Action.DONE, note=note)
    return True


@effect
def schedules_run_due(now=None) -> int:
    """The worker's job every minute (ORACLE_PERIODIC_JOBS): carry out every due schedule."""
    now = now or timezone.now()
    done = 0
    for schedule_id in Schedule.objects.due(now).values_list("pk", flat=True):
        done += schedule_execute(schedule_id=schedule_id, now=now)
    return done


def describe(schedule: Schedule) -> str:
    what = "Publication" if schedule.kind == Schedule.Kind.PUBLISH else "Withdrawal from public view"
    return f"{what} on {when(schedule.due_at)}, scheduled by {display_name(schedule.created_by, default='the system')}"
