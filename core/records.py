"""Records written once and never changed or deleted, through the ORM or the admin: the audit
trail, approvals, notices sent, source events. Shared by the apps (it knows none of them)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CHANGED = _("The audit trail is append-only: entries cannot be changed.")
DELETED = _("The audit trail is append-only: entries cannot be deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(CHANGED)

    def delete(self):
        raise ValidationError(DELETED)


class AppendOnlyModel(models.Model):
    """Rows are written once and never changed or deleted (saves, deletes and bulk updates raise)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(CHANGED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(DELETED)
