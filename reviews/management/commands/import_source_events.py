from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.source_events import MAX_CSV_BYTES, SourceEventRefused, import_source_events


class Command(BaseCommand):
    help = (
        "Record retracted and superseded references from a CSV file with the columns "
        "identifier (DOI or PubMed ID), event (retracted|superseded), date (YYYY-MM-DD), "
        "replacement (DOI or PubMed ID, for superseded), notice_url, note. "
        "Every row is checked first; if any is invalid, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file")

    def handle(self, *args, path, **options):
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
            recorded = import_source_events(text, name=file.name)
        except SourceEventRefused as exc:
            raise CommandError("Nothing was recorded:\n" + "\n".join(exc.messages)) from None
        alerts = sum(len(r.alerts) for r in recorded)
        for r in recorded:
            self.stdout.write(f"  {r.event} — {len(r.alerts)} answer(s) alerted")
        self.stdout.write(f"Recorded {len(recorded)} event(s); {alerts} alert(s) opened; the board has been emailed.")
