"""Review workflows and their stages: the board configures, per topic (or site-wide), an ordered
list of stages — each with the group whose members complete it, its quorum, whether it is
required, and its default due days. Each cycle keeps its own copy of them (`ReviewStage`, taken
at submission), so later edits to a workflow never change a running cycle. Reminders of overdue
stages are recorded once per assignment per day (`StageReminder`, append-only)."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import person_link
from core.records import AppendOnlyModel
from core.text import TextCleaningModel


class Workflow(TextCleaningModel, models.Model):
    """An ordered list of stages for the answers of one topic, or site-wide (no topic)."""

    name = models.CharField(_("name"), max_length=100)
    topic = models.OneToOneField(
        "articles.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the site-wide default, for topics without a workflow of their own."),
    )

    class Meta:
        verbose_name = _("review workflow")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(topic__isnull=True), name="workflow_one_site_default_per_name"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.topic or _('site-wide')})"

    def clean(self):
        super().clean()
        if self.topic_id is None and Workflow.objects.filter(topic__isnull=True).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"topic": _("There is a site-wide workflow already: choose a topic, or edit that one.")}
            )


class WorkflowStage(TextCleaningModel, models.Model):
    workflow = models.ForeignKey(Workflow, verbose_name=_("workflow"), on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Stages run in this order."))
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. “Clinical review”, “Pharmacist sign-off”."))
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its members may sign this stage (they also need the permission to approve reviews)."),
    )
    quorum = models.PositiveIntegerField(
        _("quorum"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many different members of the group must approve."),
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_(
            "Required stages run in order and the answer is published when the last one completes. "
            "An optional stage may be signed while it is open and never blocks publication."
        ),
    )
    due_days = models.PositiveIntegerField(_("due in (days)"), default=7, help_text=_("From when the stage opens."))

    class Meta:
        verbose_name = _("stage")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class ReviewStage(models.Model):
    """One stage of one cycle, copied from its workflow when the cycle was submitted."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        SKIPPED = "skipped", _("Skipped")

    review = models.ForeignKey(
        "reviews.Review", verbose_name=_("review"), on_delete=models.PROTECT, related_name="stages"
    )
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("stage"), max_length=100)
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="+")
    # None: the site's ORACLE_REQUIRED_APPROVALS (the default workflow, as before stages existed)
    quorum = models.PositiveIntegerField(_("quorum"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    due_days = models.PositiveIntegerField(_("due in (days)"), default=7)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    assignee = person_link(_("assignee"), related_name="assigned_review_stages")
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review stage")
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "position"], name="review_stage_position_once")]
        indexes = [models.Index(fields=["state", "assignee"], name="review_stage_open_assignee_idx")]

    def __str__(self):
        return self.name

    @property
    def required_quorum(self) -> int:
        return self.quorum if self.quorum is not None else max(1, settings.ORACLE_REQUIRED_APPROVALS)


class StageReminder(AppendOnlyModel):
    """An overdue stage's assignee was reminded on `day` (at most once per assignment per day)."""

    stage = models.ForeignKey(ReviewStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="reminders")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("overdue reminder")
        constraints = [models.UniqueConstraint(fields=["stage", "assignee", "day"], name="stage_reminder_once_per_day")]

    def __str__(self):
        return f"{self.stage} reminder {self.day}"
