import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Shown before the secret so a leaked token is recognisable (e.g. by secret scanners).
TOKEN_PREFIX = "oracle_"


class Scope(models.TextChoices):
    DRAFTS_WRITE = "drafts:write", _("drafts:write — create, update and submit draft answers")
    REVIEWS_READ = "reviews:read", _("reviews:read — read the review status of answers")


class ClientKind(models.TextChoices):
    """What an API client is, declared when its token is created; readers are told when an
    automated system drafted an answer (articles/provenance.py)."""

    PERSON = "person", _("A person (an editor writing through the API)")
    IMPORT = "import", _("An import of existing content")
    AUTOMATED = "automated", _("An automated drafting system")
    # Tokens made before clients declared what they are (migration 0003). Never chosen for a new
    # token; an administrator declares the real kind once, and it is fixed from then on.
    UNDECLARED = "undeclared", _("Not declared (a token made before clients declared what they are)")


DECLARABLE_KINDS = [choice for choice in ClientKind.choices if choice[0] != ClientKind.UNDECLARED]


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
    client_kind = models.CharField(
        _("the client is"),
        max_length=20,
        choices=ClientKind.choices,
        default=ClientKind.PERSON,
        help_text=_(
            "What writes through this token. Readers are told when an automated system drafted an answer; "
            "fixed once the token exists."
        ),
    )
    system_name = models.CharField(
        _("model or pipeline"),
        max_length=100,
        blank=True,
        help_text=_(
            "For an automated drafting system (required then): the model or pipeline and its version, "
            "e.g. “literature-pipeline v2”. Readers see it."
        ),
    )
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

    def clean(self):
        super().clean()
        from core.text import clean_text

        # readers see it: no invisible or control characters, one line
        self.system_name = " ".join(clean_text(self.system_name or "").split())
        if self.client_kind == ClientKind.AUTOMATED and not self.system_name:
            raise ValidationError(
                {"system_name": _("Name the model or pipeline (and its version): readers are told what drafted it.")}
            )
        if self.client_kind != ClientKind.AUTOMATED and self.system_name:
            raise ValidationError(
                {"system_name": _("Only an automated drafting system names a model or pipeline; leave it empty.")}
            )

    @property
    def is_automated(self) -> bool:
        return self.client_kind == ClientKind.AUTOMATED

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


class ApiRevision(models.Model):
    """Which API client wrote a revision of the working copy (django-reversion's revision meta,
    `reversion.add_meta` in api/write.py), with what it declared itself to be then: frozen, so a
    token renamed or re-declared later does not rewrite what a publication's provenance says.
    Written once with the revision; never changed (articles read it through
    `articles.provenance.register_revision_clients`, registered in api/apps.py)."""

    revision = models.OneToOneField(
        "reversion.Revision",
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="api_client",
    )
    token = models.ForeignKey(ApiToken, verbose_name=_("token"), on_delete=models.PROTECT, related_name="revisions")
    client_name = models.CharField(_("client"), max_length=100)
    client_kind = models.CharField(_("the client is"), max_length=20, choices=ClientKind.choices)
    system_name = models.CharField(_("model or pipeline"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("revision written through the API")
        verbose_name_plural = _("revisions written through the API")

    def __str__(self):
        return f"revision {self.revision_id} by {self.client_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Which client wrote a revision is a record: it cannot be changed."))
        super().save(*args, **kwargs)

    @classmethod
    def values_for(cls, token: ApiToken) -> dict:
        """The meta `reversion.add_meta(ApiRevision, **values)` stores for a write by `token`."""
        return {
            "token": token,
            "client_name": token.name,
            "client_kind": token.client_kind,
            "system_name": token.system_name,
        }
