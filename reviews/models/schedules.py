"""Scheduled publishing and withdrawal: a pending schedule says what happens to an answer at a
minute; the periodic job (`reviews.schedules.schedules_run_due`) carries it out through the same
services a person would use. Each creation, cancellation and execution appends a `ScheduleEvent`."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import optional_link, person_link
from core.records import AppendOnlyModel
from core.text import TextCleaningModel


class ScheduleQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Schedule.State.PENDING)

    def due(self, now=None):
        return self.pending().filter(due_at__lte=now or timezone.now())


class Schedule(TextCleaningModel, models.Model):
    class Kind(models.TextChoices):
        PUBLISH = "publish", _("Publish")
        WITHDRAW = "withdraw", _("Withdraw from public view")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="+"
    )
    # publishing: the approved cycle whose frozen content is published
    review = optional_link("reviews.Review", _("review"), related_name="schedules")
    due_at = models.DateTimeField(_("due at"))
    reason = models.TextField(_("reason"), blank=True, help_text=_("For a withdrawal: what readers are told."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_by = person_link(_("scheduled by"))
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    closed_by = person_link(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    publication = optional_link("articles.Publication", _("publication"))
    withdrawal = optional_link("articles.Withdrawal", _("withdrawal"))
    error = models.TextField(_("why it failed"), blank=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("schedule")
        ordering = ["due_at", "id"]
        permissions = [("cancel_schedule", _("Can cancel a scheduled publication or withdrawal"))]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind"], condition=models.Q(state="pending"), name="schedule_one_pending_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.article}” on {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class ScheduleEvent(AppendOnlyModel):
    """The schedules' audit trail: created, cancelled, done, failed; who, when, and a note."""

    class Action(models.TextChoices):
        CREATED = "created", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Carried out")
        FAILED = "failed", _("Failed")

    schedule = models.ForeignKey(Schedule, verbose_name=_("schedule"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = person_link(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("schedule event")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.schedule}"
