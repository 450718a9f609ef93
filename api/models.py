import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Shown before the secret so a leaked token is recognisable (e.g. by secret scanners).
TOKEN_PREFIX = "oracle_"


class Scope(models.TextChoices):
    DRAFTS_WRITE = "drafts:write", _("drafts:write — create, update and submit draft answers")
    REVIEWS_READ = "reviews:read", _("reviews:read — read the review status of answers")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A client's credential for the write API. Only a hash of the secret is stored."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text=_("The API acts as this user: it needs the Editors' permissions, and is named in the history."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which client uses this token, e.g. “literature pipeline”.")
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True, help_text=_("What the token may do."))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        _("token starts with"),
        max_length=20,
        editable=False,
        help_text=_("The first characters of the token, to recognise it; the rest is never stored."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.token_hint}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def set_new_secret(self) -> str:
        """Give the token a new random secret and return it: the only time it is ever readable."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_secret(secret)
        self.token_hint = secret[: len(TOKEN_PREFIX) + 4]
        return secret

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
