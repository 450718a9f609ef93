"""Re-render the page frame stored with each publication after a template change.

The reviewed content itself (the body HTML and the snapshot) is never touched: only the frame
around it (header, tracker, disclaimer, metadata), which is derived data.
"""

from django.core.management.base import BaseCommand

from articles.answer_page import render_answer_parts
from articles.models import Publication, ReviewStatus
from articles.public_cache import invalidate_public_pages
from articles.published_files import write_answer_file


class Command(BaseCommand):
    help = "Re-render the stored page frame of every publication (the reviewed body is unchanged)."

    def handle(self, *args, **options):
        count = 0
        for publication in Publication.objects.select_related("article").iterator(chunk_size=200):
            is_current = publication.article.current_publication_id == publication.pk
            head, page = render_answer_parts(
                publication,
                slug=publication.article.slug,
                review_status=ReviewStatus.APPROVED,
                next_review_due=publication.article.next_review_due if is_current else None,
            )
            # Derived fields only; Publication.save() refuses updates to keep the snapshot immutable.
            Publication.objects.filter(pk=publication.pk).update(head_html=head, page_html=page)
            if publication.article.current_publication_id == publication.pk:
                write_answer_file(publication.article.slug)
            count += 1
        invalidate_public_pages()
        self.stdout.write(f"Re-rendered {count:,} publications.")
