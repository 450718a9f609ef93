"""Re-render the page frame stored with each publication after a template change.

The reviewed content itself (the body HTML and the snapshot) is never touched: only the frame
around it (header, tracker, disclaimer, metadata), which is derived data.
"""

from django.core.management.base import BaseCommand

from articles.models import Publication
from articles.public_cache import invalidate_public_pages
from articles.publishing import publication_rerender_page


class Command(BaseCommand):
    help = "Re-render the stored page frame of every publication (the reviewed body is unchanged)."

    def handle(self, *args, **options):
        total = Publication.objects.count()
        changed = 0
        publications = Publication.objects.select_related("article").order_by("pk")
        for done, publication in enumerate(publications.iterator(chunk_size=200), start=1):
            if publication_rerender_page(publication, retire_caches=False):
                changed += 1
            if done % 500 == 0 or done == total:
                self.stdout.write(f"  {done:,} / {total:,} publications checked", ending="\r")
        invalidate_public_pages()
        self.stdout.write(f"Re-rendered {total:,} publications ({changed:,} changed).")
