"""What readers see: immutable publications of an answer, the references each cites, and withdrawals."""

import zlib

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.change_notes import NOTE_MAX_LENGTH, ChangeClass
from articles.models.content import Article
from core.fields import optional_link, person_link
from references.models import Reference


class PublicationQuerySet(models.QuerySet):
    def current(self):
        """The publication each published article shows readers now."""
        return self.filter(article__current_publication=models.F("pk"))


class Publication(models.Model):
    """An immutable snapshot of an article as readers see it, rendered once when it is created."""

    class Origin(models.TextChoices):
        APPROVAL = "approval", _("Approved by the Medical Advisory Board")
        IMPORT = "import", _("Imported from the previous site")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="publications"
    )
    number = models.PositiveIntegerField(
        _("version"), help_text=_("1 for the first publication of the article, then 2, 3, …")
    )
    question = models.CharField(_("question"), max_length=300)
    content = models.JSONField(
        _("content"), help_text=_("The article's content as published: summary, sections, claims, references.")
    )
    html = models.TextField(_("rendered body"))
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    reviewed_on = models.DateField(_("reviewed on"), help_text=_("Shown to readers as “Last updated”."))
    published_at = models.DateTimeField(_("published at"))
    published_by = person_link(_("published by"))
    revision = optional_link(
        "reversion.Revision",
        _("revision"),
        help_text=_("The version of the working copy this publication was made from."),
    )
    change_summary = models.CharField(_("change summary"), max_length=500, blank=True)
    change_class = models.CharField(
        _("class of change"),
        max_length=20,
        choices=ChangeClass.choices,
        blank=True,
        help_text=_("How the board classified this version's change; empty when no one was asked (imports)."),
    )
    change_note = models.TextField(
        _("note for readers"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text=_("What changed, as the board approved it for readers."),
    )
    literature_through = models.DateField(
        _("literature reviewed through"),
        null=True,
        blank=True,
        help_text=_("From the reviewed content, confirmed by the approver."),
    )
    head_html = models.TextField(_("rendered page head"), blank=True, editable=False)
    page_html = models.TextField(
        _("rendered page"), blank=True, editable=False, help_text=_("The whole answer as readers see it once approved.")
    )
    page_rendered_at = models.DateTimeField(
        _("page rendered at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the stored page was last re-rendered (a source notice, a due-for-review notice)."),
    )
    shows_overdue_notice = models.BooleanField(
        _("page shows the due-for-review notice"),
        default=False,
        editable=False,
        help_text=_("Whether the stored page tells readers the answer is due for review."),
    )
    summary_text = models.TextField(_("summary (plain text)"), blank=True, editable=False)
    body_text = models.TextField(_("body (plain text)"), blank=True, editable=False)
    # Filled on PostgreSQL only (full-text search); derived from the fields above.
    search_vector = SearchVectorField(null=True, editable=False)
    reviewed_by = models.JSONField(
        _("reviewed by"),
        default=list,
        blank=True,
        help_text=_("The board members who approved this version, as shown to readers."),
    )

    provenance = models.JSONField(
        _("how it was made"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Frozen at publication (articles/provenance.py): what drafted it, which editors changed it and by "
            "how many words since the previous version, who reviewed it. Empty for versions published before "
            "provenance was recorded."
        ),
    )

    related_answers = models.JSONField(
        _("related answers"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "Derived (articles/related.py): up to three answers readers see listed on this page, "
            "chosen when it was last rendered; [{article_id, slug, question}]."
        ),
    )

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        ordering = ["article", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="publication_unique_number"),
        ]
        # the home's newest and recently updated answers, the feed: newest first
        indexes = [
            models.Index(fields=["published_at"], name="publication_published_at"),
            # What's new: the classified updates, newest first
            models.Index(fields=["change_class", "-published_at"], name="publication_change_class"),
        ]

    def __str__(self):
        return f"{self.question} (v{self.number}, {self.reviewed_on:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A publication is immutable: publish a new version instead."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:version", kwargs={"slug": self.article.slug, "number": self.number})

    @property
    def page_modified_at(self):
        """Last-Modified of the stored page: its publication, or its last re-render."""
        return max(filter(None, [self.published_at, self.page_rendered_at]))

    @property
    def page_etag(self) -> str:

        return f"{self.pk}-{zlib.crc32(self.page_html.encode()):08x}"


class PublicationCitation(models.Model):
    """A reference cited by a publication: what keeps a cited reference from being deleted."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("publication"), on_delete=models.CASCADE, related_name="citations"
    )
    reference = models.ForeignKey(
        Reference, verbose_name=_("reference"), on_delete=models.PROTECT, related_name="publication_citations"
    )
    number = models.PositiveIntegerField(_("number in the reference list"))

    class Meta:
        verbose_name = _("citation in a publication")
        verbose_name_plural = _("citations in publications")
        ordering = ["publication", "number"]
        constraints = [models.UniqueConstraint(fields=["publication", "reference"], name="publication_cites_once")]

    def __str__(self):
        return f"cited as [{self.number}] by “{self.publication.question}”, version {self.publication.number} (published {self.publication.reviewed_on:%Y-%m-%d})"


class RelatedAnswer(models.Model):
    """A publication's page lists another answer under "Related answers" (derived, like the
    stored page; the twin of `Publication.related_answers`): which pages to re-render when that
    answer is withdrawn or changes (articles/related.py)."""

    publication = models.ForeignKey(
        Publication, verbose_name=_("listed on"), on_delete=models.CASCADE, related_name="related_links"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("related answer"), on_delete=models.CASCADE, related_name="listed_on"
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("related answer")
        verbose_name_plural = _("related answers")
        ordering = ["publication", "position"]
        constraints = [models.UniqueConstraint(fields=["publication", "article"], name="related_answer_once")]

    def __str__(self):
        return f"{self.article} listed on {self.publication}"


class Withdrawal(models.Model):
    """A published answer taken out of public view, with the reason readers are shown."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    publication = models.ForeignKey(
        Publication, verbose_name=_("withdrawn version"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), help_text=_("Shown to readers who follow a link to this answer."))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("withdrawal from public view")
        verbose_name_plural = _("withdrawals from public view")
        ordering = ["-at"]
        get_latest_by = "at"

    def __str__(self):
        return f"{self.article} withdrawn {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A withdrawal is a record: it cannot be changed."))
        super().save(*args, **kwargs)
