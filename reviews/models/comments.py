"""Comment threads on what they are about: a place in a cycle's pinned content (a claim, a section
heading, the summary or one audience's version of it, a cited reference), the comments in each
thread (append-only), and the comment trail (append-only: every comment, resolution, reopening).

A thread belongs to the article and records the cycle it was opened in; sections and claims have no
stable id across saves, so the place is kept as kind + position (+ audience or reference key) + the
text it had in that cycle's pinned content (`quoted`), which `reviews.comments.locate` relocates."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import optional_link, person_link
from core.records import AppendOnlyModel
from core.text import TextCleaningModel

COMMENT_MAX_LENGTH = 4000


class Place(models.TextChoices):
    SUMMARY = "summary", _("the summary")
    VARIANT = "variant", _("an audience's version of the summary")
    HEADING = "heading", _("a section heading")
    CLAIM = "claim", _("a claim")
    REFERENCE = "reference", _("a cited reference")


class CommentThreadQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class CommentThread(TextCleaningModel, models.Model):
    """One conversation about one place in the content. Only `resolved_*` ever change (through
    `reviews.comments`); what happened when is in `CommentEvent`."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="comment_threads"
    )
    opened_in = models.ForeignKey(
        "reviews.Review", verbose_name=_("opened in cycle"), on_delete=models.PROTECT, related_name="comment_threads"
    )
    kind = models.CharField(_("about"), max_length=10, choices=Place.choices)
    section = models.PositiveIntegerField(_("section index"), null=True, blank=True)
    claim = models.PositiveIntegerField(_("claim index"), null=True, blank=True)
    audience = models.CharField(_("audience"), max_length=20, blank=True)
    key = models.CharField(_("reference key"), max_length=100, blank=True)
    quoted = models.TextField(_("text commented on"), help_text=_("The place's text in the cycle's pinned content."))
    opened_by = person_link(_("opened by"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    resolved_by = person_link(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = CommentThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment thread")
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["article", "resolved_at"], name="thread_article_open")]

    def __str__(self):
        return f"Thread {self.pk} on {self.get_kind_display()} ({'resolved' if self.is_resolved else 'open'})"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Comment(TextCleaningModel, AppendOnlyModel):
    """One comment in a thread (the first one opens it). Never edited, never deleted."""

    thread = models.ForeignKey(
        CommentThread, verbose_name=_("thread"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    body = models.TextField(_("comment"), validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)])

    class Meta:
        verbose_name = _("comment")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.author} on thread {self.thread_id} at {self.at:%Y-%m-%d %H:%M}"


class CommentEvent(AppendOnlyModel):
    """The comment trail: one row per comment, resolution and reopening, with the cycle open then."""

    class Action(models.TextChoices):
        OPENED = "opened", _("opened a thread")
        REPLIED = "replied", _("replied")
        RESOLVED = "resolved", _("resolved the thread")
        REOPENED = "reopened", _("reopened the thread")

    thread = models.ForeignKey(CommentThread, verbose_name=_("thread"), on_delete=models.PROTECT, related_name="events")
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="comment_events"
    )
    review = optional_link("reviews.Review", _("cycle"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = person_link(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = optional_link("reviews.Comment", _("comment"))
    place = models.CharField(_("where"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("comment trail entry")
        verbose_name_plural = _("comment trail")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}: {self.get_action_display()} ({self.place})"
