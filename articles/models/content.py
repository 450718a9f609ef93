"""An answer's working copy, which editors change: Topic, Article → ordered Sections → ordered Claims.

Readers never see these rows: they see publications (`articles.models.publications`). The
checks of whether the content can go to review or to readers are in `articles.problems`; the
re-review dates in `articles.cadence`; the lock in `articles.models.lock`.
"""

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles import cadence, change_notes, evidence, problems
from articles.audiences import Audience
from articles.models.lock import (
    WORKFLOW_FIELDS,
    ClaimQuerySet,
    EditConflict,
    SectionQuerySet,
    _article_of_section,
    assert_unlocked,
)
from core.fields import optional_link, person_link
from core.text import TextCleaningModel
from references.citations import extract_keys
from references.models import Reference
from references.services import validate_citations


class Topic(TextCleaningModel, models.Model):
    """A subject area that groups answers, with its own public page."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        _("re-review interval (months)"),
        null=True,
        blank=True,
        help_text=_("How often answers in this topic are re-reviewed; empty for the site default."),
    )

    class Meta:
        verbose_name = _("topic")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


# Bounds on what one text may hold, checked by every path in (admin forms, full_clean, the API and
# the importer): a claim is one statement, a summary a short answer. Far above real content (the
# demo's longest claim is ~300 characters), far below what would cost memory or a reader's patience.
MAX_CLAIM_CHARS = 5_000
MAX_SUMMARY_CHARS = 5_000


def _at_most(limit: int):
    return [MaxLengthValidator(limit)]


def _summary_version(label, help_text):
    return models.TextField(
        label, blank=True, max_length=MAX_SUMMARY_CHARS, validators=_at_most(MAX_SUMMARY_CHARS), help_text=help_text
    )


class ReviewStatus(models.TextChoices):
    """The state of an article's newest review cycle (the workflow itself lives in `reviews`)."""

    NEW = "new", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REVIEW_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles readers can see: those with a current publication."""
        return self.filter(current_publication__isnull=False)

    def citing(self, key: str) -> list["Article"]:
        """The articles whose working copy cites the reference `key`."""
        marker = f"@{key}"
        candidates = (
            self.filter(models.Q(summary__contains=marker) | models.Q(sections__claims__text__contains=marker))
            .distinct()
            .order_by("question")
            .prefetch_related("sections__claims")
        )
        # `contains` also matches longer keys that start with this one: confirm by parsing.
        return [article for article in candidates if key in article.cited_keys()]


@reversion.register(follow=["sections"], exclude=sorted(WORKFLOW_FIELDS | {"edit_version"}))
class Article(TextCleaningModel, models.Model):
    """The working copy of an answer that editors change. Readers never see it directly."""

    question = models.CharField(
        _("question"), max_length=300, help_text=_("The question this answer addresses, as the page title.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("The last part of the answer's address on the site: lower-case letters, digits and hyphens."),
    )
    summary_heading = models.CharField(
        _("summary heading"), max_length=200, blank=True, help_text=_("Optional heading above the summary answer.")
    )
    summary = models.TextField(
        _("summary answer"),
        max_length=MAX_SUMMARY_CHARS,
        validators=_at_most(MAX_SUMMARY_CHARS),
        help_text=_("The short, bold answer. Markdown; cite sources as [@key] or [@key1; @key2]."),
    )
    # One version of the summary per audience (articles.audiences), each optional.
    summary_patient = _summary_version(
        _("summary for patients and caregivers"),
        _("Optional: the summary answer in plain language. Readers who chose this audience see it instead."),
    )
    summary_professional = _summary_version(
        _("summary for healthcare professionals"), _("Optional: the summary answer for clinicians.")
    )
    summary_student = _summary_version(_("summary for students"), _("Optional: the summary answer for students."))
    topic = optional_link("articles.Topic", _("topic"), related_name="articles")
    last_reviewed_on = models.DateField(
        _("last reviewed on"), null=True, blank=True, help_text=_("Shown to readers as “Last updated”.")
    )
    literature_through = models.DateField(
        _("literature reviewed through"),
        null=True,
        blank=True,
        validators=[change_notes.not_in_future],
        help_text=_(
            "The date up to which the evidence was searched for this answer. Reviewed with the content, "
            "confirmed by the approver, shown to readers apart from “Last updated”."
        ),
    )
    import_problems = models.JSONField(
        _("import problems"),
        default=list,
        blank=True,
        help_text=_("Citation problems recorded when the page was imported; they block publication until fixed."),
    )
    current_publication = optional_link("articles.Publication", _("current publication"), editable=False)
    review_status = models.CharField(
        _("review status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NEW, editable=False
    )
    lock_reason = models.CharField(
        _("locked because"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Set while a review cycle is open; the content cannot be edited then."),
    )
    locked_by = person_link(_("locked by"), editable=False)
    review_interval_months = models.PositiveSmallIntegerField(
        _("re-review interval (months)"),
        null=True,
        blank=True,
        help_text=_("Overrides the topic's and the site's interval for this answer; empty to inherit."),
    )
    next_review_due = models.DateField(
        _("next review due"),
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("The last approval plus the re-review interval."),
    )
    # Optimistic locking: every content save moves it on by one, and a save made from an older
    # copy is refused (EditConflict) instead of silently overwriting what was saved in between.
    edit_version = models.PositiveIntegerField(
        _("edit version"), default=1, editable=False, help_text=_("Counts the saves of the content.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # db_default: versions leave updated_at out, and recovering a deleted article (reversion's raw
    # save, signals muted) skips auto_now, so the database fills it.
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        ordering = ["question"]
        permissions = [("withdraw_article", _("Can withdraw a published answer from public view"))]
        indexes = [
            # the admin's list: ordered by question, then -pk (the changelist's tie-break)
            models.Index(fields=["question", "-id"], name="article_question_id"),
            # a topic's page: its published answers in the order readers page through them; with the id,
            # the count and a page's ids come from the index alone
            models.Index(
                fields=["topic", "question", "id"],
                name="article_topic_published",
                condition=models.Q(current_publication__isnull=False),
            ),
        ]

    def __str__(self):
        return self.question

    def save(self, *args, update_fields=None, **kwargs):
        if not self._state.adding and (update_fields is None or not set(update_fields) <= WORKFLOW_FIELDS):
            assert_unlocked(self.pk)
            self._claim_next_edit_version()
            if update_fields is not None:
                update_fields = {*update_fields, "edit_version"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def _claim_next_edit_version(self):
        """Compare-and-set on the counter, so of two saves made from the same copy only one wins."""
        read = self.edit_version
        moved = Article.objects.filter(pk=self.pk, edit_version=read).update(edit_version=models.F("edit_version") + 1)
        if not moved:
            stored = Article.objects.filter(pk=self.pk).values_list("edit_version", flat=True).first()
            if stored is None:  # not in the database (yet): an ordinary insert or a recovery
                return
            raise EditConflict(
                _(
                    "This answer was saved by someone else (now version %(now)s) after you opened version "
                    "%(read)s; nothing was saved, so their changes are not overwritten."
                )
                % {"now": stored, "read": read}
            )
        self.edit_version = read + 1

    def delete(self, *args, **kwargs):
        assert_unlocked(self.pk)
        return super().delete(*args, **kwargs)

    def review_interval(self) -> int:
        return cadence.review_interval(self)

    def due_after(self, reviewed_on):
        return cadence.due_after(self, reviewed_on)

    @property
    def is_locked(self) -> bool:
        return bool(self.lock_reason)

    @property
    def has_open_review(self) -> bool:
        return self.review_status in OPEN_REVIEW_STATES

    def clean(self):
        if self.summary is not None:
            validate_citations(self.summary, field="summary", where=_("the summary answer"))
        for audience, text in self.summary_variants().items():
            validate_citations(
                text,
                field=f"summary_{audience}",
                where=_("the summary for %(a)s") % {"a": Audience(audience).label.lower()},
            )

    def summary_variants(self) -> dict[str, str]:
        """Audience → its own version of the summary, for the audiences that have one."""
        return {
            audience: getattr(self, f"summary_{audience}")
            for audience in Audience.values
            if getattr(self, f"summary_{audience}", "").strip()
        }

    # The checks themselves are in articles.problems (one walk over the content).
    def cited_keys(self) -> list[str]:
        return problems.cited_keys(self)

    def citation_problems(self):
        return problems.citation_problems(self)

    def publication_problems(self) -> list[str]:
        return problems.publication_problems(self)

    def submission_problems(self) -> list[str]:
        return problems.submission_problems(self)


@reversion.register(follow=["article", "claims"])
class Section(TextCleaningModel, models.Model):
    """A heading with an ordered list of claims (the bullets of the answer page)."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(_("heading"), max_length=200)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=Audience.choices,
        blank=True,
        help_text=_("Leave empty for everyone; or show this section only to readers who chose this audience."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        ordering = ["position", "id"]

    def __str__(self):
        return self.heading

    def delete(self, *args, **kwargs):
        assert_unlocked(self.article_id)
        return super().delete(*args, **kwargs)


@reversion.register(follow=["section"])
class Claim(TextCleaningModel, models.Model):
    """One bullet: a short Markdown statement carrying its own citations."""

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="claims")
    text = models.TextField(
        _("claim"),
        max_length=MAX_CLAIM_CHARS,
        validators=_at_most(MAX_CLAIM_CHARS),
        help_text=_("One statement, Markdown, ending in its citations, e.g. “… [@acp-lbp-2017]”."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    grade = models.CharField(
        _("evidence grade"),
        max_length=12,
        blank=True,
        choices=evidence.ALL_CHOICES,
        help_text=_("Confirm the grade of the evidence behind this claim; the suggestion comes from its sources."),
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def delete(self, *args, **kwargs):
        assert_unlocked(_article_of_section(self.section_id))
        return super().delete(*args, **kwargs)

    def clean(self):
        if self.text:
            validate_citations(self.text, field="text", where=_("claim “%(claim)s”") % {"claim": str(self)})
        if self.grade and evidence.grade(self.grade) is None:
            raise ValidationError({"grade": evidence.invalid_grade_message(self.grade)})

    def suggested_grade(self, kinds_by_key: dict[str, str] | None = None) -> str:
        """The grade the kinds of this claim's cited references suggest ('' when it cites none).
        `kinds_by_key`: the kinds of references already read (a form of many claims reads them
        once, `cited_reference_kinds`); a key not in it is read here."""
        keys = set(extract_keys(self.text or ""))
        known = {key: kind for key, kind in (kinds_by_key or {}).items() if key in keys}
        missing = keys - known.keys()
        if missing:
            known.update(Reference.objects.filter(key__in=missing).values_list("key", "kind"))
        return evidence.suggest(known.values())
