"""The Medical Advisory Board's public profiles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BoardMemberQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(is_listed=True).select_related("user").order_by("display_name")


class BoardMember(models.Model):
    """A Medical Advisory Board member's public profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="board_member"
    )
    display_name = models.CharField(
        _("display name"), max_length=150, help_text=_("As readers see it, e.g. “Dr. Jane Smith”.")
    )
    credentials = models.CharField(_("credentials"), max_length=100, blank=True, help_text=_("e.g. “MD, FACP”."))
    specialty = models.CharField(_("specialty"), max_length=150, blank=True)
    bio = models.TextField(_("short bio"), blank=True)
    disclosures = models.TextField(
        _("disclosures"), blank=True, help_text=_("Conflicts of interest, or “None declared”.")
    )
    is_listed = models.BooleanField(_("listed publicly"), default=True)

    objects = BoardMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("board member")
        ordering = ["display_name"]

    def __str__(self):
        return self.signature

    @property
    def signature(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name
