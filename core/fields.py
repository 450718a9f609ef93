"""Model fields the apps declare the same way."""

from django.conf import settings
from django.db import models


def optional_link(to, verbose_name, *, related_name="+", on_delete=models.PROTECT, one_to_one=False, **options):
    """A link that may be empty (null in the database, blank in forms), protecting what it links to."""
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(
        to, verbose_name=verbose_name, null=True, blank=True, on_delete=on_delete, related_name=related_name, **options
    )


def person_link(verbose_name, **options):
    """Who did something, when it may be no one (the system, an import)."""
    return optional_link(settings.AUTH_USER_MODEL, verbose_name, **options)
