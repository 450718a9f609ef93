"""Re-render the page frame stored with each publication after a template change, then make the
published files match (`reconcile_published`: stale pages rewritten, withdrawn ones removed).

The reviewed content itself (the body HTML and the snapshot) is never touched: only the frame
around it (header, tracker, disclaimer, metadata), which is derived data. `--related` first
chooses each current page's related answers again (articles/related.py): once after deploying
related answers, whose older publications list none.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from articles.management.commands.reconcile_published import reconcile_with_progress
from articles.models import Publication
from articles.public_cache import invalidate_public_pages
from articles.publishing import publication_rerender_page
from articles.related import related_refresh


class Command(BaseCommand):
    help = (
        "Re-render the stored page frame of every publication (the reviewed body is unchanged), "
        "then make the published files match the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bars (logs, cron).")
        parser.add_argument(
            "--related", action="store_true", help="Choose each current answer's related answers again first."
        )

    def handle(self, *args, quiet_progress=False, related=False, **options):
        if related:
            current = Publication.objects.current().select_related("article")
            for publication in tqdm(
                current.iterator(chunk_size=200),
                total=current.count(),
                desc="Related answers",
                unit="page",
                file=self.stderr,
                disable=quiet_progress,
            ):
                with transaction.atomic():  # the list, its reverse index and the page together
                    related_refresh(publication, publication.article)
        total = Publication.objects.count()
        changed = 0
        publications = Publication.objects.select_related("article").order_by("pk").iterator(chunk_size=200)
        bar = tqdm(
            publications, total=total, desc="Publications", unit="page", file=self.stderr, disable=quiet_progress
        )
        for publication in bar:
            if publication_rerender_page(publication, retire_caches=False):
                changed += 1
        rate = total / bar.format_dict["elapsed"] if bar.format_dict["elapsed"] else 0
        invalidate_public_pages()  # frames changed: every page, once
        self.stdout.write(f"Re-rendered {total:,} publications ({changed:,} changed, {rate:,.0f}/s).")
        result = reconcile_with_progress(self, quiet=quiet_progress)
        self.stdout.write(result.summary())
