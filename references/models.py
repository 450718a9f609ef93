import reversion
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import optional_link
from core.text import TextCleaningModel
from references.identifiers import normalise_doi, normalise_pmid

KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]*"

key_validator = RegexValidator(
    rf"^{KEY_PATTERN}\Z",
    _("A key uses letters, digits, hyphens and underscores, and starts with a letter or digit."),
)


@reversion.register()
class Reference(TextCleaningModel, models.Model):
    """A source that answers cite by its key, e.g. `[@acp-lbp-2017]`."""

    class Kind(models.TextChoices):
        GUIDELINE = "guideline", _("Guideline")
        SYSTEMATIC_REVIEW = "systematic_review", _("Systematic review")
        RANDOMISED_TRIAL = "randomised_trial", _("Randomised trial")
        OBSERVATIONAL = "observational", _("Observational study")
        RESEARCH = "research", _("Research")
        DRUG_LABEL = "drug_label", _("Drug label")
        TEXTBOOK = "textbook", _("Textbook")
        CASE_REPORT = "case_report", _("Case report")
        EXPERT_OPINION = "expert_opinion", _("Expert opinion")
        OTHER = "other", _("Other")

    key = models.CharField(
        _("key"),
        max_length=80,
        unique=True,
        validators=[key_validator],
        help_text=_("Cite this reference in answers as [@key]. Letters, digits, - and _."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.RESEARCH)
    title = models.CharField(_("title"), max_length=500)
    authors = models.CharField(
        _("authors"),
        max_length=500,
        blank=True,
        help_text=_("As they should be printed, e.g. “Qaseem A, Wilt TJ, et al.”"),
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Journal, publisher or issuing body.")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    doi = models.CharField(
        _("DOI"), max_length=200, blank=True, help_text=_("e.g. 10.7326/M16-2367 (a doi.org link is accepted too).")
    )
    pmid = models.CharField(_("PubMed ID"), max_length=20, blank=True, help_text=_("Digits only, e.g. 28192789."))
    url = models.URLField(_("URL"), max_length=500, blank=True)
    # Source events, as recorded by references.services.reference_record_event (never edited here).
    retracted_on = models.DateField(_("retracted on"), null=True, blank=True, editable=False)
    retraction_notice_url = models.URLField(_("retraction notice"), max_length=500, blank=True, editable=False)
    superseded_by = optional_link("self", _("superseded by"), related_name="supersedes", editable=False)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reference")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                Lower("doi"),
                condition=~models.Q(doi=""),
                name="reference_unique_doi",
                violation_error_message=_("Another reference already has this DOI."),
            ),
            models.UniqueConstraint(
                fields=["pmid"],
                condition=~models.Q(pmid=""),
                name="reference_unique_pmid",
                violation_error_message=_("Another reference already has this PubMed ID."),
            ),
        ]

    def __str__(self):
        year = f", {self.year}" if self.year else ""
        return f"[{self.key}] {self.title}{year}"

    def clean(self):
        errors = {}
        try:
            self.doi = normalise_doi(self.doi)
        except ValueError as exc:
            errors["doi"] = str(exc)
        try:
            self.pmid = normalise_pmid(self.pmid)
        except ValueError as exc:
            errors["pmid"] = str(exc)
        if self.year is not None and not 1500 <= self.year <= 2200:
            errors["year"] = _("Enter the year of publication, e.g. 2021.")
        if errors:
            raise ValidationError(errors)

    def get_admin_url(self):
        return reverse("admin:references_reference_change", args=[self.pk])

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def has_event(self) -> bool:
        return bool(self.retracted_on or self.superseded_by_id)

    def as_snapshot(self) -> dict:
        """The reference as frozen into a publication (plain data, no database ids)."""
        return {
            "key": self.key,
            "kind": self.kind,
            "kind_label": str(self.get_kind_display()),
            "title": self.title,
            "authors": self.authors,
            "source": self.source,
            "year": self.year,
            "doi": self.doi,
            "doi_url": self.doi_url,
            "pmid": self.pmid,
            "pubmed_url": self.pubmed_url,
            "url": self.url,
        }
