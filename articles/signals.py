"""Cache invalidation: changes to things public pages show (signals are for caches, see STYLE.md).

A draft save changes no public page — readers see publications, never the working copy — so it
retires nothing. An article save that changes what its public pages read live retires that answer's
pages (`invalidate_answer_pages`), and the lists too only when it changes what they show of it (its
address, topic, current publication: `LIST_FIELDS`); its review state and review dates are shown on
its own pages only, so a submission or a started review leaves the home page, topics, the feed,
search and the sitemap warm. Topics and trust pages appear on every page and retire everything.
"""

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from articles.models import Article, SitePage, Topic
from articles.public_cache import invalidate_answer_pages
from articles.published_files import answer_pages_changed, site_pages_changed

# The article fields public pages read from the article row itself (the rest is the publication's).
PUBLIC_FIELDS = ("slug", "topic_id", "current_publication_id", "review_status", "next_review_due", "last_reviewed_on")
# Those of them the lists (home, topics, feed, search, sitemap) show: the rest only its own pages.
LIST_FIELDS = ("slug", "topic_id", "current_publication_id")
_LOADED = "_public_fields_as_loaded"


def _public_values(instance) -> dict:
    # __dict__, not getattr: a deferred field must not cost a query (absent means not loaded)
    return {name: instance.__dict__[name] for name in PUBLIC_FIELDS if name in instance.__dict__}


@receiver(post_init, sender=Article)
def _remember_public_fields(sender, instance, **kwargs):
    instance.__dict__[_LOADED] = _public_values(instance) if instance.pk else None


@receiver(post_save, sender=Article)
def _article_saved(sender, instance, created, update_fields=None, **kwargs):
    loaded = instance.__dict__.get(_LOADED)
    now = _public_values(instance)
    instance.__dict__[_LOADED] = now
    if created or loaded is None:
        return  # a new article is a draft: no public page shows it
    changed = [name for name in PUBLIC_FIELDS if name in now and loaded.get(name, now[name]) != now[name]]
    changed += [name for name in PUBLIC_FIELDS if name in now and name not in loaded]  # loaded deferred
    if update_fields is not None:
        changed = [name for name in changed if name.removesuffix("_id") in update_fields or name in update_fields]
    if not changed:
        return
    invalidate_answer_pages(now.get("slug") or instance.slug, lists=any(name in LIST_FIELDS for name in changed))
    if "slug" in changed and loaded.get("slug"):
        answer_pages_changed(loaded["slug"])  # the old address: its cached pages and its file go


@receiver(post_delete, sender=Article)
def _article_deleted(sender, instance, **kwargs):
    invalidate_answer_pages(instance.slug)


@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=SitePage)
def _site_wide_content_changed(sender, instance, created=False, **kwargs):
    if created and sender is Topic:
        return  # a new topic has no published answers yet: no public page shows it
    site_pages_changed()
