import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Now
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles import evidence
from articles.audiences import Audience
from references.citations import CitationProblem, extract_keys
from references.models import Reference


def unknown_keys(keys) -> list[str]:
    """The keys among `keys` that name no reference, in the order given, without repeats."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    known = set(Reference.objects.filter(key__in=keys).values_list("key", flat=True))
    return [key for key in keys if key not in known]


def validate_citations(text: str, *, field: str, where: str) -> None:
    """Raise a ValidationError on `field` naming each unknown key cited in `text` and where it is."""
    missing = unknown_keys(extract_keys(text))
    if missing:
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("Unknown reference key “%(key)s” in %(where)s."),
                        code="unknown_citation",
                        params={"key": key, "where": where},
                    )
                    for key in missing
                ]
            }
        )


class Topic(models.Model):
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
        verbose_name_plural = _("topics")
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


class ArticleLocked(ValidationError):
    """The article is in an open review cycle: its content cannot change until the cycle ends."""


class EditConflict(ValidationError):
    """Someone saved the article after this copy of it was read: saving it would overwrite their work."""


class ReviewStatus(models.TextChoices):
    """The state of an article's newest review cycle (the workflow itself lives in `reviews`)."""

    NEW = "new", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REVIEW_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)


def assert_unlocked(article_id) -> None:
    """Raise ArticleLocked, saying why and who holds it, when the article's content is locked.

    Reads the lock from the database, so a stale in-memory article cannot slip past it.
    """
    if article_id is None:
        return
    reason = Article.objects.filter(pk=article_id).values_list("lock_reason", flat=True).first()
    if reason:
        raise ArticleLocked(_("This article is locked: %(reason)s") % {"reason": reason}, code="locked")


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


# Fields the workflow writes; everything else is content, which a lock protects.
WORKFLOW_FIELDS = frozenset(
    {
        "current_publication",
        "last_reviewed_on",
        "next_review_due",
        "review_status",
        "lock_reason",
        "locked_by",
        "updated_at",
    }
)


def default_review_interval_months() -> int:
    return settings.ORACLE_REVIEW_INTERVAL_MONTHS


def add_months(day, months: int):
    """`day` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@reversion.register(follow=["sections"], exclude=sorted(WORKFLOW_FIELDS | {"edit_version"}))
class Article(models.Model):
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
    summary_patient = models.TextField(
        _("summary for patients and caregivers"),
        blank=True,
        max_length=MAX_SUMMARY_CHARS,
        validators=_at_most(MAX_SUMMARY_CHARS),
        help_text=_("Optional: the summary answer in plain language. Readers who chose this audience see it instead."),
    )
    summary_professional = models.TextField(
        _("summary for healthcare professionals"),
        blank=True,
        max_length=MAX_SUMMARY_CHARS,
        validators=_at_most(MAX_SUMMARY_CHARS),
        help_text=_("Optional: the summary answer for clinicians."),
    )
    summary_student = models.TextField(
        _("summary for students"),
        blank=True,
        max_length=MAX_SUMMARY_CHARS,
        validators=_at_most(MAX_SUMMARY_CHARS),
        help_text=_("Optional: the summary answer for students."),
    )
    topic = models.ForeignKey(
        "articles.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    last_reviewed_on = models.DateField(
        _("last reviewed on"), null=True, blank=True, help_text=_("Shown to readers as “Last updated”.")
    )
    import_problems = models.JSONField(
        _("import problems"),
        default=list,
        blank=True,
        help_text=_("Citation problems recorded when the page was imported; they block publication until fixed."),
    )
    current_publication = models.ForeignKey(
        "articles.Publication",
        verbose_name=_("current publication"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
        verbose_name_plural = _("articles")
        ordering = ["question"]
        permissions = [("withdraw_article", _("Can withdraw a published answer from public view"))]

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
        """Months between reviews: this answer's own, else its topic's, else the site's."""
        if self.review_interval_months:
            return self.review_interval_months
        if self.topic_id and self.topic.review_interval_months:
            return self.topic.review_interval_months
        return default_review_interval_months()

    def due_after(self, reviewed_on):
        return add_months(reviewed_on, self.review_interval()) if reviewed_on else None

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

    def texts(self) -> list[tuple[str, str]]:
        """(where, text) for the summary, its audience versions and every claim, in reading order."""
        places = [("Summary answer", self.summary)]
        places += [
            (f"Summary answer for {Audience(a).label.lower()}", text) for a, text in self.summary_variants().items()
        ]
        for s_index, section in enumerate(self.sections.all(), start=1):
            for c_index, claim in enumerate(section.claims.all(), start=1):
                places.append((f"Section {s_index} “{section.heading}”, claim {c_index}", claim.text))
        return places

    def cited_keys(self) -> list[str]:
        return list(dict.fromkeys(key for _, text in self.texts() for key in extract_keys(text)))

    def publication_problems(self) -> list[str]:
        """Why this article cannot go to review or to readers as it stands; empty when it can."""
        problems = [str(p) for p in self.citation_problems()]
        if not (self.summary or "").strip():
            problems.append(str(_("The summary answer is empty.")))
        sections = list(self.sections.all())
        if not sections:
            problems.append(str(_("The article has no sections.")))
        for index, section in enumerate(sections, start=1):
            if not section.claims.all():
                problems.append(
                    str(_("Section %(n)s “%(heading)s” has no claims.") % {"n": index, "heading": section.heading})
                )
        return problems

    def uncited_claims(self) -> list[str]:
        """A problem for each claim that cites nothing, by section and position (prefetch-friendly)."""
        problems = []
        for s_index, section in enumerate(self.sections.all(), start=1):
            for c_index, claim in enumerate(section.claims.all(), start=1):
                if not extract_keys(claim.text):
                    problems.append(
                        str(
                            _("Section %(s)s “%(heading)s”, claim %(c)s cites no source: “%(claim)s”.")
                            % {"s": s_index, "heading": section.heading, "c": c_index, "claim": str(claim)}
                        )
                    )
        return problems

    def submission_problems(self) -> list[str]:
        """Why the article cannot go to review: publication problems, uncited claims when required, and
        grades outside the site's scheme."""
        problems = self.publication_problems()
        if settings.ORACLE_REQUIRE_CITED_CLAIMS:
            problems += self.uncited_claims()
        return problems + self.grade_problems()

    def grade_problems(self) -> list[str]:
        """A problem for each claim graded in another scheme than the site's (it changed since)."""
        problems = []
        for s_index, section in enumerate(self.sections.all(), start=1):
            for c_index, claim in enumerate(section.claims.all(), start=1):
                if claim.grade and evidence.grade(claim.grade) is None:
                    problems.append(
                        f"Section {s_index} “{section.heading}”, claim {c_index}: "
                        + evidence.invalid_grade_message(claim.grade)
                    )
        return problems

    def citation_problems(self) -> list[CitationProblem]:
        """Every unresolved citation in the summary and the claims, each with where it is.

        Reads sections and claims through the prefetch cache when there is one.
        """
        cited = {place: extract_keys(text) for place, text in self.texts()}
        missing = set(unknown_keys(key for keys in cited.values() for key in keys))
        recorded = {p["key"]: p for p in self.import_problems if isinstance(p, dict) and "key" in p}
        problems = []
        for place, keys in cited.items():
            for key in dict.fromkeys(keys):
                if key not in missing:
                    continue
                if key in recorded:
                    message = f"{recorded[key]['message']} (cited as [@{key}])"
                else:
                    message = f"unknown reference key “{key}”"
                problems.append(CitationProblem(field=place, key=key, message=message))
        return problems


class LockedContentQuerySet(models.QuerySet):
    """Deleting content of a locked article is refused before any row is touched."""

    article_path = "article_id"

    def delete(self):
        for article_id in set(self.values_list(self.article_path, flat=True)):
            assert_unlocked(article_id)
        return super().delete()


class SectionQuerySet(LockedContentQuerySet):
    article_path = "article_id"


class ClaimQuerySet(LockedContentQuerySet):
    article_path = "section__article_id"


@reversion.register(follow=["article", "claims"])
class Section(models.Model):
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
        verbose_name_plural = _("sections")
        ordering = ["position", "id"]

    def __str__(self):
        return self.heading

    def delete(self, *args, **kwargs):
        assert_unlocked(self.article_id)
        return super().delete(*args, **kwargs)


@reversion.register(follow=["section"])
class Claim(models.Model):
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
        verbose_name_plural = _("claims")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def delete(self, *args, **kwargs):
        assert_unlocked(Section.objects.filter(pk=self.section_id).values_list("article_id", flat=True).first())
        return super().delete(*args, **kwargs)

    def clean(self):
        if self.text:
            validate_citations(self.text, field="text", where=_("claim “%(claim)s”") % {"claim": str(self)})
        if self.grade and evidence.grade(self.grade) is None:
            raise ValidationError({"grade": evidence.invalid_grade_message(self.grade)})

    def suggested_grade(self) -> str:
        """The grade the kinds of this claim's cited references suggest ('' when it cites none)."""
        keys = extract_keys(self.text or "")
        kinds = Reference.objects.filter(key__in=keys).values_list("kind", flat=True) if keys else []
        return evidence.suggest(kinds)


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
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revision = models.ForeignKey(
        "reversion.Revision",
        verbose_name=_("revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The version of the working copy this publication was made from."),
    )
    change_summary = models.CharField(_("change summary"), max_length=500, blank=True)
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

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["article", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="publication_unique_number"),
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
        import zlib

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


# The lock is enforced on the models themselves, not only in the admin. save() and delete() and
# the querysets' delete() refuse cleanly before anything is written; these receivers are the last
# line for any other path (a cascade, a raw Collector), where the refusal also aborts the
# surrounding transaction.
@receiver([pre_save, pre_delete], sender=Section)
def _section_lock(sender, instance, **kwargs):
    assert_unlocked(instance.article_id)


@receiver([pre_save, pre_delete], sender=Claim)
def _claim_lock(sender, instance, **kwargs):
    if instance.section_id is not None:
        article_id = Section.objects.filter(pk=instance.section_id).values_list("article_id", flat=True).first()
        assert_unlocked(article_id)


@receiver(pre_delete, sender=Article)
def _article_delete_lock(sender, instance, **kwargs):
    assert_unlocked(instance.pk)


class FollowUpQuestion(models.Model):
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
    draft = models.ForeignKey(
        Article,
        verbose_name=_("draft answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The draft article created from this question."),
    )

    class Meta:
        verbose_name = _("follow-up question")
        verbose_name_plural = _("follow-up questions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"


@reversion.register()
class SitePage(models.Model):
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
        verbose_name_plural = _("site pages")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    @classmethod
    def get(cls, slug: str) -> "SitePage":
        """The page, or its first text (unsaved) if no one has stored it yet."""
        from articles.trust_pages import DEFAULTS

        page = cls.objects.filter(slug=slug).first()
        if page is None:
            title, body = DEFAULTS[slug]
            page = cls(slug=slug, title=title, body=body)
        return page
