"""Keeping answers current: source events (a cited reference retracted or superseded), the board's
decisions on them, the alerts they open on the answers citing it, the notices of reviews falling
due, and the re-review queue."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.fields import optional_link, person_link
from core.records import AppendOnlyModel, AppendOnlyQuerySet
from references.models import Reference


class SourceEventQuerySet(AppendOnlyQuerySet):
    def _decided(self, outcome):
        return Exists(SourceEventDecision.objects.filter(event=OuterRef("pk"), outcome=outcome))

    def proposed(self):
        """Waiting for the board: no decision yet (readers see nothing of them)."""
        return self.exclude(Exists(SourceEventDecision.objects.filter(event=OuterRef("pk"))))

    def confirmed(self):
        return self.filter(self._decided(SourceEventDecision.Outcome.CONFIRMED))

    def rejected(self):
        return self.filter(self._decided(SourceEventDecision.Outcome.REJECTED))

    def with_state(self):
        return self.annotate(
            is_confirmed=self._decided(SourceEventDecision.Outcome.CONFIRMED),
            is_rejected=self._decided(SourceEventDecision.Outcome.REJECTED),
        )


class SourceEvent(AppendOnlyModel):
    """Something that happened to a source after answers cited it: a retraction or a replacement.

    Written once, never changed or deleted. Recorded by someone who may not confirm events (an
    editor, a file imported without a board member), it is a *proposal*: nothing changes for
    readers until a board member confirms it (`SourceEventDecision`), or it is rejected and kept
    as a record. Recorded by a board member, it is confirmed at once.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed, awaiting the board")
        CONFIRMED = "confirmed", _("confirmed by the board")
        REJECTED = "rejected", _("rejected by the board")

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

    objects = SourceEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("source event")
        ordering = ["-recorded_at", "-id"]
        permissions = [("confirm_sourceevent", _("Can confirm or reject a proposed source event"))]

    def __str__(self):
        return f"{self.reference.key} {self.get_kind_display().lower()} on {self.occurred_on}"

    @property
    def state(self) -> str:
        """From `with_state()`'s annotations when present, else from the decisions (a query)."""
        if hasattr(self, "is_confirmed"):
            confirmed, rejected = self.is_confirmed, self.is_rejected
        else:
            outcomes = set(self.decisions.values_list("outcome", flat=True))
            confirmed = SourceEventDecision.Outcome.CONFIRMED in outcomes
            rejected = SourceEventDecision.Outcome.REJECTED in outcomes
        if confirmed:
            return self.State.CONFIRMED
        return self.State.REJECTED if rejected else self.State.PROPOSED

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    def reader_notice(self) -> str:
        """The notice readers would be shown for this event, in the site's fixed wording, from the
        rows as they stand now. Readers see it only as frozen into the board's confirmation."""
        if self.kind == self.Kind.RETRACTED:
            day = self.occurred_on
            return f"Retracted on {day:%B} {day.day}, {day.year}."
        newer = self.replacement
        year = f" ({newer.year})" if newer.year else ""
        return f"Superseded by “{newer.title}”{year}."


class SourceEventDecision(AppendOnlyModel):
    """The board's decision on a source event, permanent: confirmed — it takes effect, and the notice
    readers see is the text stored here, as it stood when the board confirmed it — or rejected, with
    the reason. A confirmed supersession whose replacement was edited since may be confirmed again
    (a new row): readers then see the new text; until then, the confirmed one."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    event = models.ForeignKey(
        SourceEvent, verbose_name=_("source event"), on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    notice = models.CharField(_("notice readers see"), max_length=800, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = person_link(_("decided by"))
    at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision on a source event")
        verbose_name_plural = _("decisions on source events")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=models.Q(outcome="rejected"), name="one_rejection_per_source_event"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="rejected") | ~models.Q(notice=""),
                name="a_confirmation_keeps_its_notice",
            ),
        ]

    def __str__(self):
        return f"{self.event}: {self.get_outcome_display()}"


def confirmed_notices(keys: list[str]) -> dict[str, str]:
    """Reference key → the notice readers see on it, as the board confirmed it (for those of `keys`
    with a confirmed event). A retraction outweighs a supersession; otherwise the latest confirmation
    counts. One query, over permanent records only: no live reference row is read."""
    rows = (
        SourceEventDecision.objects.filter(
            outcome=SourceEventDecision.Outcome.CONFIRMED, event__reference__key__in=keys
        )
        .order_by("-at", "-pk")
        .values_list("event__reference__key", "event__kind", "notice")
    )
    found: dict[str, tuple[str, str]] = {}
    for key, kind, notice in rows:
        if key not in found or (kind == SourceEvent.Kind.RETRACTED and found[key][0] != SourceEvent.Kind.RETRACTED):
            found[key] = (kind, notice)
    return {key: notice for key, (_kind, notice) in found.items()}


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
        constraints = [models.UniqueConstraint(fields=["article", "due_on"], name="one_due_notice_per_due_date")]

    def __str__(self):
        return f"{self.article} due {self.due_on}"


class ReReviewQueue(Article):
    """Published answers due for re-review or standing on a flagged source (an admin view of Article)."""

    class Meta:
        proxy = True
        verbose_name = _("answer due for re-review")
        verbose_name_plural = _("due for re-review")
