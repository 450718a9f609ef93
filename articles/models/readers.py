"""What readers send and read besides answers: follow-up questions, error reports, and the trust pages' text."""

import reversion
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.audiences import Audience
from articles.models.content import Article
from core.fields import optional_link, person_link
from core.records import AppendOnlyModel
from core.text import TextCleaningModel


class FollowUpQuestion(TextCleaningModel, models.Model):
    """A reader's follow-up question about an answer. Readers' email addresses are never shown publicly."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")
        DISMISSED = "dismissed", _("Dismissed")

    MIN_LENGTH = 10
    MAX_LENGTH = 2000

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="follow_ups")
    text = models.TextField(_("question"), max_length=MAX_LENGTH)
    email = models.EmailField(_("reader's email"), blank=True)
    audience = models.CharField(_("reader's audience"), max_length=20, choices=Audience.choices, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    draft = optional_link(
        Article,
        _("draft answer"),
        on_delete=models.SET_NULL,
        help_text=_("The draft article created from this question."),
    )

    class Meta:
        verbose_name = _("follow-up question")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"


@reversion.register()
class SitePage(TextCleaningModel, models.Model):
    """A trust page whose text staff edit in the admin (editorial policy, advisory board)."""

    class Slug(models.TextChoices):
        EDITORIAL_POLICY = "editorial-policy", _("Editorial policy")
        ADVISORY_BOARD = "advisory-board", _("Medical Advisory Board")

    slug = models.CharField(_("page"), max_length=40, choices=Slug.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: ## headings, lists, **bold**, [links](https://…)."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site page")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # Each trust page is served at the URL named by its slug (oracle/urls.py); the advisory
        # board's page adds the board's profiles (reviews).
        return reverse(self.slug)

    @classmethod
    def get(cls, slug: str) -> "SitePage":
        """The page, or its first text (unsaved) if no one has stored it yet."""
        from articles.trust_pages import DEFAULTS

        page = cls.objects.filter(slug=slug).first()
        if page is None:
            title, body = DEFAULTS[slug]
            page = cls(slug=slug, title=title, body=body)
        return page


class ErrorReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=ErrorReport.OPEN_STATES)

    def overdue(self, today=None):
        from django.utils import timezone

        return self.open().filter(due_on__lt=today or timezone.localdate())


class ErrorReport(TextCleaningModel, models.Model):
    """A reader's report of an error in one claim of a published answer (`articles/error_reports.py`).

    The claim is named by the publication and its position in that publication's frozen content,
    and its text as published is frozen here: what the reader saw, whatever the working copy
    becomes. The state changes only through the service functions, each recorded in the trail
    (`ErrorReportEvent`). Never shown to readers: not on any public page, the API or a feed."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        FIXED = "fixed", _("Fixed")

    OPEN_STATES = (State.NEW, State.ACCEPTED)
    MIN_LENGTH = 10
    MAX_LENGTH = 2000
    SOURCE_MAX_LENGTH = 500

    publication = models.ForeignKey(
        "articles.Publication", verbose_name=_("publication"), on_delete=models.PROTECT, related_name="error_reports"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("answer"), on_delete=models.PROTECT, related_name="error_reports"
    )
    section_number = models.PositiveSmallIntegerField(
        _("section"), help_text=_("Its position in the publication, from 1.")
    )
    claim_number = models.PositiveSmallIntegerField(_("claim"), help_text=_("Its position in the section, from 1."))
    section_heading = models.CharField(_("section heading as published"), max_length=200)
    claim_text = models.TextField(_("claim as published"))
    text = models.TextField(_("what is wrong"), max_length=MAX_LENGTH)
    source = models.CharField(_("source given"), max_length=SOURCE_MAX_LENGTH, blank=True)
    email = models.EmailField(_("reader's email"), blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    due_on = models.DateField(_("due"), db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW, db_index=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = person_link(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    fixed_in = optional_link(
        "articles.Publication",
        _("fixed in"),
        help_text=_("The publication that corrected the claim, when there is one."),
    )
    # When the board's email listing this report was enqueued (reviews/notifications.py); empty
    # until then. Reports arriving close together share one email.
    board_notified_at = models.DateTimeField(_("board emailed at"), null=True, blank=True, editable=False)

    objects = ErrorReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("error report")
        ordering = ["due_on", "created_at"]
        permissions = [("triage_errorreport", "Can accept, reject or mark fixed readers' error reports")]

    def __str__(self):
        claim = " ".join(self.claim_text.split())
        return f"#{self.pk}: {claim if len(claim) <= 60 else claim[:59] + '…'}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def position(self) -> str:
        return f"section {self.section_number}, claim {self.claim_number}"


class ErrorReportEvent(AppendOnlyModel):
    """One step of an error report's trail: received, accepted, rejected, fixed, update opened."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        FIXED = "fixed", _("Marked fixed")
        UPDATE_OPENED = "update_opened", _("Draft update opened")

    report = models.ForeignKey(
        ErrorReport, verbose_name=_("error report"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = person_link(_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("error report event")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"
