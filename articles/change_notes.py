"""What changed in an answer, and how far its evidence was searched (the reader's side of a review).

At the approval that completes a cycle the board classifies the change (`ChangeClass`) and writes
(or accepts the editor's) note for readers; both are frozen into the publication. "Literature
reviewed through" is content: the editor sets it on the article (`Article.literature_through`), it
is in the snapshot (so in the fingerprint the board approves) and the approver confirms it.

Programs that approve without asking a person (tests, the importer) leave the class and note
`NOT_ASKED`: the publication then has no class and no note, and nothing new is shown to readers
(What's new lists only classified practice-changing and major updates).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOT_ASKED = None  # the approval did not ask a person: no class, no note, no literature check
NOTE_MAX_LENGTH = 1000


class ChangeClass(models.TextChoices):
    PRACTICE_CHANGING = "practice-changing", _("Practice-changing")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    EDITORIAL = "editorial", _("Editorial")


# What "What's new" and its feed list: the changes a reader who follows the answer should know of.
NEWSWORTHY = (ChangeClass.PRACTICE_CHANGING, ChangeClass.MAJOR)

CLASS_HELP = {
    ChangeClass.PRACTICE_CHANGING: _("The advice now differs in a way that changes what a clinician or patient does."),
    ChangeClass.MAJOR: _("New evidence or a substantial change to the answer, the advice standing."),
    ChangeClass.MINOR: _("Small corrections or additions that leave the answer's meaning unchanged."),
    ChangeClass.EDITORIAL: _("Wording, layout or links only."),
}


def change_label(change_class: str) -> str:
    """How readers see a class of change: "Major update"; "Update" for a note without one."""
    label = dict(ChangeClass.choices).get(change_class)
    return f"{label} update" if label else "Update"


def not_in_future(value: date | None) -> None:
    """Validator of a "literature reviewed through" date: a search cannot have covered tomorrow."""
    if value and value > timezone.localdate():
        raise ValidationError(
            _("“Literature reviewed through” cannot be in the future (%(day)s)."), params={"day": value.isoformat()}
        )


def parse_day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def literature_of(content: dict) -> date | None:
    """The "literature reviewed through" date of a snapshot (absent in content from before it existed)."""
    return parse_day(content.get("literature_through"))


def change_problems(*, change_class, change_note, literature_confirmed, content: dict) -> list[str]:
    """Why an approval's change class, note and literature confirmation are refused (empty: none).

    `change_class` NOT_ASKED: a program approving; nothing is checked and nothing is recorded.
    `literature_confirmed`: the date the approver saw and ticked in the decision panel (ISO text or
    a date); it must be the reviewed content's date, which must be set and not in the future."""
    if change_class is NOT_ASKED:
        return []
    problems = []
    if change_class not in ChangeClass.values:
        problems.append(
            "Classify the change for readers: practice-changing, major, minor or editorial."
            if not change_class
            else f"“{change_class}” is not a class of change: choose practice-changing, major, minor or editorial."
        )
    note = (change_note or "").strip()
    if not note:
        problems.append("Write the note readers see about what changed (or accept the editor's).")
    elif len(note) > NOTE_MAX_LENGTH:
        problems.append(f"The note for readers is {len(note)} characters long; keep it to {NOTE_MAX_LENGTH}.")
    through = literature_of(content)
    if through is None:
        problems.append(
            "The article has no “Literature reviewed through” date: the editor sets it on the article "
            "and submits again."
        )
    elif through > timezone.localdate():
        problems.append(f"“Literature reviewed through” ({through.isoformat()}) is in the future.")
    elif parse_day(literature_confirmed) != through:
        problems.append(f"Confirm that the literature was reviewed through {through.isoformat()} (tick the box).")
    return problems


WHATS_NEW_FIELDS = (
    "number",
    "question",
    "published_at",
    "reviewed_on",
    "change_class",
    "change_note",
    "literature_through",
    "article__slug",
)


def whats_new():
    """The newsworthy publications of the answers readers see now, newest first: practice-changing
    and major updates with the board's note. A withdrawn answer's updates are not listed (its
    article shows no publication), nor is a note no one approved (imports and programs have none)."""
    from django.db.models import Exists, OuterRef

    from articles.models import Article, Publication

    shown = Article.objects.filter(pk=OuterRef("article_id"), current_publication__isnull=False)
    return (
        Publication.objects.filter(change_class__in=NEWSWORTHY)
        .exclude(change_note="")
        .filter(Exists(shown))
        .select_related("article")
        .only(*WHATS_NEW_FIELDS)
        .order_by("-published_at", "-pk")
    )
