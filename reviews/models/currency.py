"""Keeping answers current: source events (a cited reference retracted or superseded), the alerts
they open on the answers citing it, the notices of reviews falling due, and the re-review queue."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.fields import optional_link, person_link
from core.records import AppendOnlyModel
from references.models import Reference


class SourceEvent(AppendOnlyModel):
    """Something that happened to a source after answers cited it: a retraction or a replacement.

    Written once, never changed or deleted: the record of why answers were flagged.
    """

    class Kind(models.TextChoices):
        RETRACTED = "retracted", _("Retracted")
        SUPERSEDED = "superseded", _("Superseded")

    reference = models.ForeignKey(
        Reference, verbose_name=_("reference"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    notice_url = models.URLField(_("notice URL"), max_length=500, blank=True)
    replacement = optional_link(Reference, _("replaced by"), related_name="replacing_events")
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("recorded from"), max_length=200, blank=True, help_text=_("admin, or the CSV file"))
    recorded_by = person_link(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("source event")
        verbose_name_plural = _("source events")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.reference.key} {self.get_kind_display().lower()} on {self.occurred_on}"


class SourceAlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class SourceAlert(models.Model):
    """An answer whose current publication cites a source that was retracted or superseded.

    Opened when the event is recorded; resolved once, by the board: when it approves a new version
    of the answer, or explicitly with a reason. The open/resolve record is never changed afterwards.
    """

    class Resolution(models.TextChoices):
        NEW_VERSION = "new_version", _("new version approved")
        NO_CHANGE = "no_change", _("reviewed, no change needed")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("answer"), on_delete=models.PROTECT, related_name="source_alerts"
    )
    event = models.ForeignKey(
        SourceEvent, verbose_name=_("source event"), on_delete=models.PROTECT, related_name="alerts"
    )
    publication = models.ForeignKey(
        "articles.Publication",
        verbose_name=_("publication citing it"),
        on_delete=models.PROTECT,
        related_name="source_alerts",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = person_link(_("resolved by"))
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices, blank=True)
    resolution_comment = models.TextField(_("resolution comment"), blank=True)

    objects = SourceAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("source alert")
        verbose_name_plural = _("source alerts")
        permissions = [("resolve_sourcealert", _("Can resolve a source alert after re-checking the answer"))]
        ordering = ["resolved_at", "-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "event"], name="one_alert_per_answer_and_event"),
        ]

    def __str__(self):
        return f"{self.event} — {self.article}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("resolved_at", flat=True).first()
            if stored is not None:
                raise ValidationError(_("A resolved source alert is a permanent record and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Source alerts are part of the audit trail and cannot be deleted."))

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ReviewDueNotice(AppendOnlyModel):
    """The board was told that this answer is due for re-review on this date (sent once)."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("answer"), on_delete=models.CASCADE, related_name="review_due_notices"
    )
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("re-review notice")
        verbose_name_plural = _("re-review notices")
        constraints = [models.UniqueConstraint(fields=["article", "due_on"], name="one_due_notice_per_due_date")]

    def __str__(self):
        return f"{self.article} due {self.due_on}"


class ReReviewQueue(Article):
    """Published answers due for re-review or standing on a flagged source (an admin view of Article)."""

    class Meta:
        proxy = True
        verbose_name = _("answer due for re-review")
        verbose_name_plural = _("due for re-review")
