"""How an answer was made: who drafted, edited and reviewed each publication, frozen into it.

`provenance_compute` runs once, inside `articles.publishing.article_publish`, over the versions
django-reversion stored since the article's previous publication (or its creation): the first of
them says who drafted this version, and each revision's word diff (`articles.history`) is counted
for whoever saved it. Which API client wrote a revision (and what it declared itself to be: a
person, an import, an automated drafting system with its model or pipeline) is the `api` app's
record; this layer cannot name it, so `api` registers a provider at start-up
(`register_revision_clients`, in `api/apps.py`).

What readers see (`provenance_sentence`) is built from the stored publication alone, so the
answer page stays one lookup. It never names a machine as an author: an automated system is
what an answer was "drafted with"; editors are counted, not named (their word counts are for
staff: the publication's admin page); the board members who approved it are named, as in
"Reviewed by".
"""

import re
from collections.abc import Callable

from articles.content import DATE_FIELDS
from articles.history import EMPTY, content_at, word_diff
from core import people

AUTOMATED, IMPORT, PERSON, UNDECLARED = "automated", "import", "person", "undeclared"
# More revisions than this since the last publication: the oldest are read, then the newest
# (each costs a query when publishing; counts stay right for the window, which is all of them in practice).
MAX_REVISIONS = 500
WORD = re.compile(r"\w+", re.UNICODE)

_CLIENT_PROVIDERS: list[Callable[[list[int]], dict[int, dict]]] = []


def register_revision_clients(provider: Callable[[list[int]], dict[int, dict]]) -> None:
    """Register `provider(revision_ids) -> {revision_id: {"kind", "client", "system"}}`: which API
    client wrote each revision, and what it declared itself to be then (`kind`: person, import,
    automated or undeclared; `system`: the model or pipeline of an automated one)."""
    if provider not in _CLIENT_PROVIDERS:
        _CLIENT_PROVIDERS.append(provider)


def revision_clients(revision_ids: list[int]) -> dict[int, dict]:
    clients: dict[int, dict] = {}
    if revision_ids:
        for provider in _CLIENT_PROVIDERS:
            clients.update(provider(revision_ids))
    return clients


def _texts(content: dict) -> dict[tuple, str]:
    """Every text of a content (`history.content_at`), keyed by what it is: fields by name,
    headings and claims by id, so a moved claim is not counted as written again."""
    texts = {("field", name): value or "" for name, value in content.items() if name != "sections"}
    for name in DATE_FIELDS:
        texts.pop(("field", name), None)  # a date is not words anyone wrote
    for section in content.get("sections", []):
        texts[("heading", section["id"])] = section["heading"] or ""
        for claim in section["claims"]:
            texts[("claim", claim["id"])] = claim["text"] or ""
    return texts


def word_changes(old: dict, new: dict) -> tuple[int, int]:
    """(words added, words removed) from `old` to `new`, word by word (`history.word_diff`)."""
    before, after = _texts(old), _texts(new)
    added = removed = 0
    for key in dict.fromkeys([*before, *after]):
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        for op, text in word_diff(a, b):
            if op == "insert":
                added += len(WORD.findall(text))
            elif op == "delete":
                removed += len(WORD.findall(text))
    return added, removed


def _versions_since(article, previous_revision_id, up_to_revision_id):
    from reversion.models import Version

    versions = Version.objects.get_for_object(article).select_related(
        "revision__user", *people.related("revision__user")
    )
    if previous_revision_id is not None:
        versions = versions.filter(revision_id__gt=previous_revision_id)
    if up_to_revision_id is not None:
        versions = versions.filter(revision_id__lte=up_to_revision_id)
    versions = list(versions.order_by("revision_id"))
    if len(versions) > MAX_REVISIONS:
        versions = versions[: MAX_REVISIONS // 2] + versions[-MAX_REVISIONS // 2 :]
    return versions


def provenance_compute(*, article, revision=None, origin: str, reviewed_by: list[dict], reviewed_on) -> dict:
    """The provenance of the publication about to be made of `article` from `revision` (frozen
    into `Publication.provenance`). Called by `article_publish` before the new row exists."""
    from articles.answer_page import reviewer_disclosures
    from articles.models import Publication

    previous = Publication.objects.filter(article_id=article.pk).order_by("-number").only("number", "revision").first()
    previous_revision_id = previous.revision_id if previous else None
    versions = _versions_since(article, previous_revision_id, revision.pk if revision else None)
    clients = revision_clients([v.revision_id for v in versions])

    baseline = content_at(previous.revision, article.pk) if previous and previous.revision_id else EMPTY
    editors: dict[int, dict] = {}
    machines: dict[tuple, dict] = {}
    drafted_by = None
    old = baseline
    for index, version in enumerate(versions):
        try:
            new = content_at(version.revision, article.pk)
        except LookupError:
            continue
        added, removed = word_changes(old, new)
        old = new
        client = clients.get(version.revision_id)
        first = index == 0
        if first and client and client["kind"] in (AUTOMATED, IMPORT):
            drafted_by = {"kind": client["kind"], "client": client["client"], "system": client.get("system", "")}
        if client and client["kind"] != PERSON:
            key = (client["kind"], client["client"], client.get("system", ""))
            row = machines.setdefault(
                key,
                {"kind": key[0], "client": key[1], "system": key[2], "added": 0, "removed": 0, "saves": 0},
            )
        else:
            user = version.revision.user
            if user is None:
                continue
            row = editors.setdefault(
                user.pk,
                {"user_id": user.pk, "name": people.display_name(user), "added": 0, "removed": 0, "saves": 0},
            )
        row["added"] += added
        row["removed"] += removed
        row["saves"] += 1 if added or removed else 0  # saves that changed words (a submission changes none)

    def by_size(rows):
        return sorted(rows, key=lambda r: (-(r["added"] + r["removed"]), r.get("name", r.get("client", ""))))

    return {
        "since_version": previous.number if previous else None,
        "origin": origin,
        "drafted_by": drafted_by,
        # people who changed the text (a save that changed nothing is not an edit)
        "editors": by_size(e for e in editors.values() if e["added"] or e["removed"]),
        "clients": by_size(c for c in machines.values() if c["added"] or c["removed"]),
        "reviewers": [
            {
                "name": r["name"],
                "credentials": r.get("credentials", ""),
                "disclosures": reviewer_disclosures(r) or "",
            }
            for r in reviewed_by or ()
        ],
        "reviewed_on": reviewed_on.isoformat() if reviewed_on else None,
    }


def _day(value) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _names(names: list[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def provenance_sentence(publication) -> str:
    """The reader's "How this answer was made", from the stored publication ("" when it predates
    provenance). An automated system is what the text was drafted *with*; never its author."""
    provenance = publication.provenance or {}
    if not provenance:
        return ""
    parts = []
    drafted = provenance.get("drafted_by") or {}
    if drafted.get("kind") == AUTOMATED:
        parts.append(f"Drafted with an automated system ({drafted['system']})")
    elif publication.origin == "import":
        parts.append("Imported from our previous site")
    elif drafted.get("kind") == IMPORT:
        parts.append("Drafted from imported content")
    editors = len(provenance.get("editors") or ())
    # automated systems that changed words after the draft began (a person started it, a pipeline
    # wrote on): said too, whoever began it; never as authors
    helped = list(
        dict.fromkeys(
            c["system"]
            for c in provenance.get("clients") or ()
            if c.get("kind") == AUTOMATED and c.get("system") and c.get("system") != drafted.get("system")
        )
    )
    if editors:
        counted = f"{editors} editor" if editors == 1 else f"{editors} editors"
        if parts:
            parts.append(f"edited by {counted}")
        else:  # a person began it: the first version was written, a later one updated
            first = provenance.get("since_version") is None
            parts.append(f"Written and edited by {counted}" if first else f"Updated by {counted}")
    if helped and drafted.get("kind") == AUTOMATED:  # more than one system wrote it
        parts[0] = f"Drafted with automated systems ({_names([drafted['system'], *helped])})"
    elif helped and parts:
        parts[-1] += f" with help from an automated system ({_names(helped)})"
    elif helped:
        parts.append(f"Drafted with an automated system ({_names(helped)})")
    day = _day(publication.reviewed_on)
    if publication.origin == "import":
        parts.append(f"reviewed there on {day}")
    else:
        reviewers = [
            f"{r['name']}, {r['credentials']}" if r.get("credentials") else r["name"]
            for r in provenance.get("reviewers") or ()
        ]
        who = _names(reviewers) if reviewers else "the Medical Advisory Board"
        parts.append(f"reviewed and approved by {who} on {day}")
    sentence = ", ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def provenance_for_api(publication) -> dict:
    """The same facts for the read API: what drafted it, how many editors, who approved it."""
    provenance = publication.provenance or {}
    drafted = provenance.get("drafted_by") or {}
    return {
        "drafted_with": (
            {"kind": drafted["kind"], "system": drafted.get("system", "")}
            if drafted.get("kind") in (AUTOMATED, IMPORT)
            else None
        ),
        "editors": len(provenance.get("editors") or ()),
        "summary": provenance_sentence(publication),
    }
