"""Conflicts of interest: which of a board member's current disclosures overlap an answer, what an
approver declares, and whether a set of approvals may complete a cycle (or a stage).

Overlap: each current disclosure's organisation and each of its products or drugs is looked for in
every text of the answer (question, summaries and their audience versions, section headings,
claims) and of its cited references (title, authors, journal or publisher) — case-insensitive,
as whole words, after a simple normalisation (accents, ®/™, punctuation and an organisation's
legal suffix such as "Inc." or "Ltd" removed).

Declarations: the review page always sends one ("none" or "conflict" with a statement) and the
service refuses an approval without it. Programs that approve without a person being asked (the
importer of reviewed pages, scripts, most tests) pass nothing (`NOT_ASKED`): the approval stores
no declaration, counts as not stating a conflict, and readers are told nothing about it — never
"No relevant conflicts declared" on a person's behalf.
"""

import re
import unicodedata

from references.citations import MARKER_RE

NO_CONFLICT = "none"
CONFLICT = "conflict"
NOT_ASKED = None
DECLARATIONS = (NO_CONFLICT, CONFLICT)
MAX_STATEMENT = 2000

_LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "nv",
    "bv",
    "co",
    "corp",
    "corporation",
    "company",
}


def normalise(text: str) -> str:
    """Lower case, no accents, marks or punctuation, single spaces: what matching compares."""
    text = re.sub(r"[®™©℠]", " ", MARKER_RE.sub(" ", text or ""))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.replace("_", " ").split())


def _term(text: str, *, organisation=False) -> str:
    words = normalise(text).split()
    if organisation:
        while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
            words.pop()
    return " ".join(words)


def answer_places(content: dict) -> list[tuple[str, str]]:
    """(where, normalised text) for every text of the answer and its cited references."""
    from articles.audiences import Audience

    labels = dict(Audience.choices)
    places = [("the question", content.get("question", ""))]
    if content.get("summary_heading"):
        places.append(("the summary heading", content["summary_heading"]))
    places.append(("the summary", content.get("summary", "")))
    for audience, text in (content.get("summary_variants") or {}).items():
        places.append((f"the summary for {str(labels.get(audience, audience)).lower()}", text))
    for s, section in enumerate(content.get("sections") or (), start=1):
        places.append((f"section {s}'s heading", section.get("heading", "")))
        for c, claim in enumerate(section.get("claims") or (), start=1):
            places.append((f"section {s}, claim {c}", claim.get("text", "")))
    for key, reference in (content.get("references") or {}).items():
        for field, label in (("title", "title"), ("source", "journal or publisher"), ("authors", "authors")):
            if reference.get(field):
                places.append((f"reference “{key}” ({label})", str(reference[field])))
    return [(where, normalise(text)) for where, text in places if text]


def _found(term: str, text: str) -> bool:
    return bool(term) and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None


def overlaps(disclosures, content: dict) -> list[dict]:
    """Each (disclosure, term) named in the answer: {"disclosure", "term", "where": [places]}."""
    places = answer_places(content)
    found = []
    for disclosure in disclosures:
        terms = [(disclosure.organisation, _term(disclosure.organisation, organisation=True))]
        terms += [(product, _term(product)) for product in disclosure.product_list]
        for shown, term in terms:
            where = [label for label, text in places if _found(term, text)]
            if where:
                found.append({"disclosure": disclosure.as_declared(), "term": shown, "where": where})
    return found


def current_disclosures(user, on=None) -> list:
    from reviews.models import Disclosure

    if user is None or not getattr(user, "pk", None):
        return []
    return list(Disclosure.objects.filter(member__user_id=user.pk).current(on))


def overlaps_for(user, content: dict, on=None) -> list[dict]:
    """The overlaps of `user`'s current disclosures with the answer `content` (a snapshot:
    `Review.content`, `Publication.content`, `articles.snapshots.snapshot_article`)."""
    disclosures = current_disclosures(user, on)
    return overlaps(disclosures, content) if disclosures else []


def overlaps_by_user(user_ids, content: dict, on=None) -> dict[int, list[dict]]:
    """`overlaps_for` for several people at once (one query): {user id: their overlaps}, only for
    those with a current disclosure."""
    from reviews.models import Disclosure

    held: dict[int, list] = {}
    for disclosure in Disclosure.objects.filter(member__user_id__in=user_ids).current(on).select_related("member"):
        held.setdefault(disclosure.member.user_id, []).append(disclosure)
    return {user_id: overlaps(items, content) for user_id, items in held.items()}


def overlap_text(overlap: dict) -> str:
    d = overlap["disclosure"]
    return f"“{overlap['term']}” ({d['relationship']}, {d['organisation']}) appears in {', '.join(overlap['where'])}"


def declaration_problems(declaration, statement: str) -> list[str]:
    """Why a declaration sent by a person is not acceptable ([] when it is)."""
    if declaration is NOT_ASKED:
        return []
    if declaration not in DECLARATIONS:
        return [
            "Declare your conflicts of interest before approving: choose “No relevant conflict” or "
            "“I have a relevant conflict” and state it."
        ]
    if declaration == CONFLICT and not (statement or "").strip():
        return ["State your relevant conflict: the statement is required when you declare one."]
    if len(statement or "") > MAX_STATEMENT:
        return [f"The conflict statement is at most {MAX_STATEMENT} characters."]
    return []


def approvals_may_complete(approvals) -> tuple[bool, str]:
    """Whether these approvals (of one cycle, or one stage) may complete it as far as conflicts of
    interest go: an approval with a stated conflict completes nothing on its own; at least one
    approval from a member who declared no relevant conflict is needed beside it."""
    approvals = list(approvals)
    if not any(a.declaration == CONFLICT for a in approvals):
        return True, ""
    if any(a.declaration == NO_CONFLICT for a in approvals):
        return True, ""
    return False, (
        "An approval with a stated conflict of interest does not complete the review on its own: "
        "it needs an approval from another board member who declares no relevant conflict."
    )


def declared_for_readers(approval) -> dict:
    """What the answer page shows beside the approver's name (frozen in the publication's
    `reviewed_by`): {} when nothing was declared (older approvals, programs)."""
    if approval.declaration == NO_CONFLICT:
        return {"conflicts": {"declared": NO_CONFLICT}}
    if approval.declaration == CONFLICT:
        disclosures = []
        for overlap in approval.overlaps or ():
            if overlap["disclosure"] not in disclosures:
                disclosures.append(overlap["disclosure"])
        return {
            "conflicts": {
                "declared": CONFLICT,
                "statement": approval.conflict_statement,
                "disclosures": disclosures,
            }
        }
    return {}
