"""What readers send and read besides answers: follow-up questions, and the trust pages' text."""

import reversion
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.audiences import Audience
from articles.models.content import Article
from core.fields import optional_link
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
