from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from core.people import display_name
from reviews.source_events import MAX_CSV_BYTES, SourceEventRefused, import_source_events, may_confirm_events


class Command(BaseCommand):
    help = (
        "Record retracted and superseded references from a CSV file with the columns "
        "identifier (DOI or PubMed ID), event (retracted|superseded), date (YYYY-MM-DD), "
        "replacement (DOI or PubMed ID, for superseded), notice_url, note. "
        "Every row is checked first; if any is invalid, nothing is written. "
        "Imported --by a member of the Medical Advisory Board, the events take effect (readers see "
        "the notices, the board is alerted); otherwise they are proposals that change nothing until "
        "a board member confirms them in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="who is importing: a board member's events are confirmed, an editor's are proposals "
            "(without --by, every event is a proposal recorded by no one)",
        )

    def handle(self, *args, path, by=None, **options):
        user = None
        if by is not None:
            user = get_user_model().objects.filter(username=by, is_active=True).first()
            if user is None:
                raise CommandError(f"--by {by}: no active user has this username.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file.")
        if file.stat().st_size > MAX_CSV_BYTES:
            raise CommandError(f"{path}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; split it.")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text.") from None
        try:
            recorded = import_source_events(text, by=user, name=file.name)
        except SourceEventRefused as exc:
            raise CommandError("Nothing was recorded:\n" + "\n".join(exc.messages)) from None
        except PermissionDenied:
            raise CommandError(f"Nothing was recorded: {by} may not record source events.") from None
        if may_confirm_events(user):
            alerts = sum(len(r.alerts) for r in recorded)
            for r in recorded:
                self.stdout.write(f"  {r.event} — {len(r.alerts)} answer(s) alerted")
            self.stdout.write(
                f"Recorded {len(recorded)} event(s), confirmed by {display_name(user)} for the board; "
                f"{alerts} alert(s) opened; the board has been emailed."
            )
            return
        for r in recorded:
            self.stdout.write(f"  {r.event} — proposed")
        self.stdout.write(
            f"Proposed {len(recorded)} event(s): readers see nothing of them until a member of the Medical "
            "Advisory Board confirms each one in the admin "
            f"({reverse('admin:reviews_sourceevent_changelist')}?state=proposed)."
        )
