"""Cache invalidation: changes to things public pages show (signals are for caches, see STYLE.md)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, SitePage, Topic
from articles.public_cache import invalidate_public_pages


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=SitePage)
def _public_content_changed(sender, **kwargs):
    invalidate_public_pages()
