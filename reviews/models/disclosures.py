"""Board members' conflicts of interest: one row per organisation and relationship, with the
products or drugs it concerns and the dates it holds. The overlap with an answer is computed in
`reviews/disclosures.py`; what an approver declared is stored on their `ReviewApproval`."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import TextCleaningModel, clean_text

MAX_PRODUCTS = 50


def split_products(value: str) -> list[str]:
    """One product or drug per line (commas and semicolons separate too), trimmed, without repeats."""
    items = []
    for part in re.split(r"[\n;,]", clean_text(value or "")):
        part = " ".join(part.split())
        if part and part.casefold() not in {i.casefold() for i in items}:
            items.append(part)
    return items


class DisclosureQuerySet(models.QuerySet):
    def current(self, on=None):
        """Holding on `on` (today in the site's time zone): started, and not ended before it."""
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on))


class Disclosure(TextCleaningModel, models.Model):
    class Relationship(models.TextChoices):
        CONSULTANT = "consultant", _("Consultant")
        SPEAKER = "speaker", _("Speaker")
        ADVISORY_BOARD = "advisory_board", _("Advisory board")
        RESEARCH_FUNDING = "research_funding", _("Research funding")
        EMPLOYMENT = "employment", _("Employment")
        STOCK = "stock", _("Stock or ownership")
        ROYALTIES = "royalties", _("Royalties")
        OTHER = "other", _("Other")

    member = models.ForeignKey(
        "reviews.BoardMember", verbose_name=_("board member"), on_delete=models.CASCADE, related_name="disclosure_set"
    )
    organisation = models.CharField(_("organisation"), max_length=200, help_text=_("e.g. “Acme Pharma”."))
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    products = models.TextField(
        _("products or drugs"),
        blank=True,
        help_text=_("One per line (or separated by commas), e.g. “baclofen”. Empty: the organisation as a whole."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty: ongoing."))

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure")
        ordering = ["-starts_on", "organisation", "id"]

    def __str__(self):
        products = f" ({', '.join(self.product_list)})" if self.product_list else ""
        return f"{self.get_relationship_display()}, {self.organisation}{products}"

    def save(self, *args, **kwargs):
        self.products = "\n".join(split_products(self.products))
        super().save(*args, **kwargs)

    @property
    def product_list(self) -> list[str]:
        return split_products(self.products)

    def clean(self):
        super().clean()
        errors = {}
        self.organisation = " ".join((self.organisation or "").split())
        if not self.organisation:
            errors["organisation"] = _("Name the organisation.")
        products = split_products(self.products)
        if len(products) > MAX_PRODUCTS:
            errors["products"] = _("At most %(n)s products or drugs per disclosure.") % {"n": MAX_PRODUCTS}
        elif any(len(p) > 200 for p in products):
            errors["products"] = _("A product or drug name is at most 200 characters.")
        self.products = "\n".join(products)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)

    def as_declared(self) -> dict:
        """As frozen with an approval and shown to readers (plain data)."""
        return {
            "organisation": self.organisation,
            "relationship": str(self.get_relationship_display()),
            "products": self.product_list,
        }
