"""The approver's checklist: items configured in the admin (site-wide or per topic, required or
recommended, ordered, retired rather than deleted once used), and the attestation stored with each
approval (every item offered, ticked or not, with its text as it stood), which never changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.records import AppendOnlyModel
from core.text import TextCleaningModel


class ChecklistItemQuerySet(models.QuerySet):
    def offered_for(self, article):
        """What an approver of `article` ticks: the site-wide items and its topic's, not retired."""
        topic = models.Q(topic__isnull=True)
        if article.topic_id:
            topic |= models.Q(topic_id=article.topic_id)
        return self.filter(topic, retired=False).order_by("position", "id")


class ChecklistItem(TextCleaningModel, models.Model):
    class Level(models.TextChoices):
        REQUIRED = "required", _("Required: approval is refused until it is ticked")
        RECOMMENDED = "recommended", _("Recommended: offered, never blocking")

    text = models.CharField(
        _("text"),
        max_length=300,
        help_text=_("What the approver attests, e.g. “Doses checked against the current label”."),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.REQUIRED)
    topic = models.ForeignKey(
        "articles.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every answer. A topic: offered in addition to the site-wide items for its answers."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Items are offered in this order."))
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("No longer offered; the approvals that attested it keep its text.")
    )

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text

    @property
    def is_required(self) -> bool:
        return self.level == self.Level.REQUIRED


class ChecklistAttestation(AppendOnlyModel):
    """One item as one approver saw it when approving: its text then, whether it was required, and
    whether they ticked it. Written with the approval, never changed."""

    approval = models.ForeignKey(
        "reviews.ReviewApproval", verbose_name=_("approval"), on_delete=models.PROTECT, related_name="attestations"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="attestations"
    )
    text = models.CharField(_("text"), max_length=300)
    required = models.BooleanField(_("required"))
    ticked = models.BooleanField(_("ticked"))

    class Meta:
        verbose_name = _("checklist attestation")
        ordering = ["id"]

    def __str__(self):
        return f"{'☑' if self.ticked else '☐'} {self.text}{'' if self.required else ' (recommended)'}"
