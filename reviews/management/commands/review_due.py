from django.core.management.base import BaseCommand

from reviews.cadence import queue_counts, review_due_run


class Command(BaseCommand):
    help = (
        "Email the Medical Advisory Board about answers due for re-review within the notice window "
        "and overdue ones (once per answer and due date), and update readers' due-for-review notices. "
        "Idempotent: run it daily from cron."
    )

    def handle(self, *args, **options):
        run = review_due_run()
        counts = queue_counts()
        self.stdout.write(
            f"Notified the board about {len(run.notified_overdue)} overdue and {len(run.notified_due)} soon-due "
            f"answer(s) ({run.emails_sent} email(s) queued for the worker); re-rendered {run.pages_rerendered} page(s). "
            f"Queue now: {counts['overdue']} overdue, {counts['due_soon']} due soon, "
            f"{counts['source_alerts']} with source alerts."
        )
