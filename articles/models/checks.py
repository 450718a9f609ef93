"""The site's configuration of the content checks (`articles/checks.py`): one row, edited in the admin.

Each check has a severity — it blocks submission, it warns, or it is off — and the few numbers and
words some checks read. The migration that creates the table seeds the row with the defaults below;
`ContentCheckSettings.current()` reads it (and falls back to the defaults if it were ever missing).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import TextCleaningModel


class Severity(models.TextChoices):
    BLOCK = "block", _("Blocks submission")
    WARNING = "warning", _("Warning")
    OFF = "off", _("Off (not checked)")


DEFAULT_ABSOLUTE_WORDS = "always\nnever\ncure\ncures\ncured\nguaranteed\nguarantee\n100%"


def _severity(label, default):
    return models.CharField(label, max_length=8, choices=Severity.choices, default=default)


class ContentCheckSettings(TextCleaningModel, models.Model):
    """The content checks' severities and parameters, site-wide (a single row, pk 1)."""

    reading_level = _severity(_("reading level of the patient version"), Severity.WARNING)
    reading_target_grade = models.DecimalField(
        _("target reading grade"),
        max_digits=4,
        decimal_places=1,
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(18)],
        help_text=_(
            "The highest Flesch–Kincaid grade level the patient version may have (US school grade; "
            "8 is the usual target for health information for the public)."
        ),
    )
    absolute_words = _severity(_("absolute words in claims"), Severity.WARNING)
    absolute_word_list = models.TextField(
        _("absolute words"),
        default=DEFAULT_ABSOLUTE_WORDS,
        max_length=2000,
        help_text=_("One word or phrase a line; matched as whole words, whatever the case."),
    )
    ungraded_claims = _severity(_("claims without an evidence grade"), Severity.WARNING)
    unlocated_references = _severity(_("cited references with no DOI, PMID or URL"), Severity.WARNING)
    old_guidelines = _severity(_("old guidelines"), Severity.WARNING)
    guideline_max_age_years = models.PositiveSmallIntegerField(
        _("guidelines older than (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("A cited guideline published more than this many years ago is flagged."),
    )
    duplicate_claims = _severity(_("the same claim twice"), Severity.BLOCK)
    audience_without_claims = _severity(_("an audience's summary with no claims for it"), Severity.WARNING)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("content checks")
        verbose_name_plural = _("content checks")

    def __str__(self):
        return str(_("Content checks"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row, always
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "ContentCheckSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def words(self) -> list[str]:
        return list(dict.fromkeys(w.strip().lower() for w in self.absolute_word_list.splitlines() if w.strip()))
