"""Make the published files and caches match the database (also the worker's periodic job)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.published_files import reconcile


class Command(BaseCommand):
    help = (
        "Make published answer files match the database: write missing or stale pages, remove those "
        "of withdrawn or never-published answers, retire the cached pages of each answer that drifted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bar (logs, cron).")

    def handle(self, *args, quiet_progress=False, **options):
        result = reconcile_with_progress(self, quiet=quiet_progress)
        self.stdout.write(result.summary())
        for slug in result.written[:50]:
            self.stdout.write(f"  written: {slug}")
        for slug in result.removed[:50]:
            self.stdout.write(f"  removed: {slug}")
        if result.changed > 100:
            self.stdout.write(f"  … and {result.changed - 100:,} more")


def reconcile_with_progress(command: BaseCommand, *, quiet: bool = False):
    def progress(slugs):
        return tqdm(slugs, desc="Answer pages", unit="page", file=command.stderr, disable=quiet, mininterval=0.5)

    return reconcile(progress=progress)
