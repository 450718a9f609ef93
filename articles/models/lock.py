"""The content lock: while a review cycle is open, an article's content cannot change.

Enforced on the models themselves, not only in the admin: `Article.save()`/`delete()`, section and
claim saves and deletes and the querysets' `delete()` refuse cleanly before anything is written;
the receivers below are the last line for any other path (a cascade, a raw Collector), where the
refusal also aborts the surrounding transaction. The review workflow (`reviews`) sets and clears
the lock through the workflow fields, which the lock does not cover.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class ArticleLocked(ValidationError):
    """The article is in an open review cycle: its content cannot change until the cycle ends."""


class EditConflict(ValidationError):
    """Someone saved the article after this copy of it was read: saving it would overwrite their work."""


# Fields the workflow writes; everything else is content, which the lock protects.
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


def _article_of_section(section_id):
    from articles.models import Section

    return Section.objects.filter(pk=section_id).values_list("article_id", flat=True).first()


def assert_unlocked(article_id) -> None:
    """Raise ArticleLocked, saying why and who holds it, when the article's content is locked.

    Reads the lock from the database, so a stale in-memory article cannot slip past it.
    """
    from articles.models import Article

    if article_id is None:
        return
    reason = Article.objects.filter(pk=article_id).values_list("lock_reason", flat=True).first()
    if reason:
        raise ArticleLocked(_("This article is locked: %(reason)s") % {"reason": reason}, code="locked")


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


@receiver([pre_save, pre_delete], sender="articles.Section")
def _section_lock(sender, instance, **kwargs):
    assert_unlocked(instance.article_id)


@receiver([pre_save, pre_delete], sender="articles.Claim")
def _claim_lock(sender, instance, **kwargs):
    if instance.section_id is not None:
        assert_unlocked(_article_of_section(instance.section_id))


@receiver(pre_delete, sender="articles.Article")
def _article_delete_lock(sender, instance, **kwargs):
    assert_unlocked(instance.pk)
