from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

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
            help="Publish each imported answer as already reviewed on the previous site. A page that cannot be "
            "published (citation problems, with --allow-missing) makes the command exit with status 1.",
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
            # Where the user can see what was imported: the public page once readers can, else the admin's.
            if article.current_publication_id:
                url = article.get_absolute_url()
            else:
                url = reverse("admin:articles_article_change", args=[article.pk])
            status = result.status
            if publish and result.changed and result.live_number and not (result.published or result.problems):
                # --publish publishes whatever differs from what readers see: nothing did.
                status = f"working copy updated; readers already see this page's content (version {result.live_number})"
            self.stdout.write(f"{base}{url}  {article.question} — {status}")
            for problem in result.problems:
                self.stdout.write(f"    problem: {problem['message']}")
        unpublished = [(path, result) for path, result in zip(paths, results, strict=True) if result.problems]
        if publish and unpublished:
            lines = [f"{len(unpublished)} of {len(results)} page{'s' if len(results) > 1 else ''} not published:"]
            for path, result in unpublished:
                numbers = ", ".join(str(problem["number"]) for problem in result.problems)
                lines.append(
                    f"  {path}: cites reference{'s' if len(result.problems) > 1 else ''} {numbers} missing from its "
                    f"reference list — {result.status}"
                )
            lines.append(
                "Each was saved as a draft (or a published answer's working copy) with its problems recorded; readers "
                "see nothing new. To publish one, add the missing entries to the page's reference list and import it "
                "again with --publish, or fix its citations in the admin and submit it for review."
            )
            raise CommandError("\n".join(lines))
