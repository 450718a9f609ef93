"""Cache invalidation: the board's public profiles appear on answer and board pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.published_files import site_pages_changed
from reviews.models import BoardMember


@receiver([post_save, post_delete], sender=BoardMember)
def _board_changed(sender, **kwargs):
    site_pages_changed()
