from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reviews.importing.write import ImportRefused, review_import_pages


class Command(BaseCommand):
    help = (
        "Import answer pages captured as text from the previous site. All files or none: "
        "on any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Page text files to import.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish each imported answer as already reviewed on the previous site.",
        )
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="Import pages that cite numbers missing from their reference list, as unpublished drafts "
            "with the problems recorded.",
        )

    def handle(self, *args, paths, publish, allow_missing, **options):
        try:
            results = review_import_pages(paths, publish=publish, allow_missing=allow_missing)
        except ImportRefused as exc:
            raise CommandError("\n".join(exc.messages)) from None
        base = settings.ORACLE_BASE_URL.rstrip("/")
        for result in results:
            article = result.article
            self.stdout.write(f"{base}{article.get_absolute_url()}  {article.question} — {result.status}")
            for problem in result.problems:
                self.stdout.write(f"    problem: {problem['message']}")
