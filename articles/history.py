"""Reading the article's version history: content at a revision, and readable diffs.

Content at a revision is rebuilt from the versions django-reversion stored in that revision
(the article, its sections and claims are followed together), never from the live tables.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from articles.content import CONTENT_FIELDS
from articles.models import Article, Claim, Section
from references.citations import extract_keys
from references.models import Reference

EMPTY = {name: "" for name, _ in CONTENT_FIELDS} | {"sections": []}


def content_at(revision, article_id: int) -> dict:
    """The article's content as saved in `revision` (one query for the revision's versions)."""
    if revision is None:
        return {**EMPTY, "sections": []}
    types = ContentType.objects.get_for_models(Article, Section, Claim)
    article_fields, sections, claims = None, {}, []
    for version in revision.version_set.filter(content_type__in=types.values()):
        data = version.field_dict
        if version.content_type_id == types[Article].pk and int(version.object_id) == article_id:
            article_fields = data
        elif version.content_type_id == types[Section].pk and data["article_id"] == article_id:
            sections[data["id"]] = {
                "id": data["id"],
                "heading": data["heading"],
                "audience": data.get("audience") or "",
                "position": data["position"],
                "claims": [],
            }
        elif version.content_type_id == types[Claim].pk:
            claims.append(data)
    if article_fields is None:
        raise LookupError(f"Revision {revision.pk} holds no version of article {article_id}.")
    for data in claims:
        if data["section_id"] in sections:
            sections[data["section_id"]]["claims"].append(
                {"id": data["id"], "text": data["text"], "position": data["position"], "grade": data.get("grade") or ""}
            )
    ordered = sorted(sections.values(), key=lambda s: (s["position"], s["id"]))
    for section in ordered:
        section["claims"].sort(key=lambda c: (c["position"], c["id"]))
    # .get(): versions saved before a field existed do not hold it
    return {name: _as_text(article_fields.get(name)) for name, _ in CONTENT_FIELDS} | {"sections": ordered}


def _as_text(value) -> str:
    # dates (literature reviewed through) compare and diff as ISO text
    return value.isoformat() if hasattr(value, "isoformat") else value or ""


# --- word diff ------------------------------------------------------------------------------

TOKEN = re.compile(r"\s+|\[@[^\]]*\]|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in equal / insert / delete, diffed word by word (markers kept whole)."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    segments: list[tuple[str, str]] = []

    def add(op, text):
        if not text:
            return
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return segments


# --- structured diff ------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    segments: list[tuple[str, str]]


@dataclass
class ClaimChange:
    status: str  # added / removed / changed / moved / unchanged
    position: int
    segments: list[tuple[str, str]]
    note: str = ""


@dataclass
class SectionChange:
    status: str  # added / removed / changed / unchanged
    heading: list[tuple[str, str]]
    old_position: int | None
    new_position: int | None
    claims: list[ClaimChange] = field(default_factory=list)
    moved: bool = False

    @property
    def has_changes(self) -> bool:
        return self.status != "unchanged" or self.moved or any(c.status != "unchanged" for c in self.claims)


@dataclass
class ReferenceChange:
    key: str
    status: str  # added / removed / changed
    title: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ContentDiff:
    fields: list[FieldChange]
    sections: list[SectionChange]
    references: list[ReferenceChange]
    order_changed: bool

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.references or self.order_changed or any(s.has_changes for s in self.sections))


def _changed(segments) -> bool:
    return any(op != "equal" for op, _ in segments)


def diff_content(old: dict, new: dict, *, old_date=None, new_date=None) -> ContentDiff:
    """What changed from `old` to `new` (dicts from `content_at`), section by section, word by word."""
    fields = []
    for name, label in CONTENT_FIELDS:
        segments = word_diff(old[name], new[name])
        if _changed(segments):
            fields.append(FieldChange(label, segments))

    old_sections = {s["id"]: (i, s) for i, s in enumerate(old["sections"], start=1)}
    new_sections = {s["id"]: (i, s) for i, s in enumerate(new["sections"], start=1)}
    old_claim_home = {c["id"]: s["heading"] for s in old["sections"] for c in s["claims"]}
    new_claim_ids = {c["id"] for s in new["sections"] for c in s["claims"]}

    kept_old_order = [sid for sid in (s["id"] for s in old["sections"]) if sid in new_sections]
    kept_new_order = [sid for sid in (s["id"] for s in new["sections"]) if sid in old_sections]
    order_changed = kept_old_order != kept_new_order
    moved = _moved_items(kept_old_order, kept_new_order)

    sections = []
    for sid, (position, section) in new_sections.items():
        if sid not in old_sections:
            sections.append(
                SectionChange(
                    "added",
                    [("insert", section["heading"])],
                    None,
                    position,
                    [
                        ClaimChange("added", i, [("insert", c["text"])])
                        for i, c in enumerate(section["claims"], start=1)
                    ],
                )
            )
            continue
        old_position, old_section = old_sections[sid]
        heading = word_diff(old_section["heading"], section["heading"])
        claims = _diff_claims(old_section, section, old_claim_home, new_claim_ids)
        status = "changed" if _changed(heading) or any(c.status != "unchanged" for c in claims) else "unchanged"
        sections.append(SectionChange(status, heading, old_position, position, claims, moved=sid in moved))
    for sid, (position, section) in old_sections.items():
        if sid not in new_sections:
            sections.append(
                SectionChange(
                    "removed",
                    [("delete", section["heading"])],
                    position,
                    None,
                    [
                        ClaimChange("removed", i, [("delete", c["text"])])
                        for i, c in enumerate(section["claims"], start=1)
                    ],
                )
            )
    sections.sort(key=lambda s: (s.new_position or s.old_position or 0, s.status != "removed"))
    return ContentDiff(fields, sections, diff_references(old, new, old_date, new_date), order_changed)


def _grade_label(code) -> str:
    from articles import evidence

    grade = evidence.any_grade(code or "")
    return f"“{grade.label}”" if grade else "none"


def _moved_items(old_order: list, new_order: list) -> set:
    """Items not on the longest common subsequence of the two orders: the ones that moved."""
    matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    stayed = {old_order[block.a + k] for block in matcher.get_matching_blocks() for k in range(block.size)}
    return set(new_order) - stayed


def _diff_claims(old_section, new_section, old_claim_home, new_claim_ids) -> list[ClaimChange]:
    old_claims = {c["id"]: c for c in old_section["claims"]}
    moved = _moved_items(
        [c["id"] for c in old_section["claims"] if c["id"] in {x["id"] for x in new_section["claims"]}],
        [c["id"] for c in new_section["claims"] if c["id"] in old_claims],
    )
    changes = []
    for position, claim in enumerate(new_section["claims"], start=1):
        old_claim = old_claims.get(claim["id"])
        if old_claim is None:
            note = f"moved from “{old_claim_home[claim['id']]}”" if claim["id"] in old_claim_home else ""
            changes.append(
                ClaimChange(
                    "moved" if note else "added",
                    position,
                    word_diff("", claim["text"]) if not note else [("equal", claim["text"])],
                    note,
                )
            )
            continue
        segments = word_diff(old_claim["text"], claim["text"])
        notes = ["reordered"] if claim["id"] in moved else []
        if old_claim.get("grade", "") != claim.get("grade", ""):
            notes.append(f"evidence grade {_grade_label(old_claim.get('grade'))} → {_grade_label(claim.get('grade'))}")
        if _changed(segments) or len(notes) > (claim["id"] in moved):
            changes.append(ClaimChange("changed", position, segments, "; ".join(notes)))
        elif claim["id"] in moved:
            changes.append(ClaimChange("moved", position, segments, "reordered"))
        else:
            changes.append(ClaimChange("unchanged", position, segments))
    for position, claim in enumerate(old_section["claims"], start=1):
        if claim["id"] not in {c["id"] for c in new_section["claims"]}:
            if claim["id"] in new_claim_ids:
                continue  # moved to another section: shown there
            changes.append(ClaimChange("removed", position, [("delete", claim["text"])]))
    return changes


REFERENCE_FIELDS = [
    ("title", "Title"),
    ("kind", "Kind"),
    ("authors", "Authors"),
    ("source", "Source"),
    ("year", "Year"),
    ("doi", "DOI"),
    ("pmid", "PMID"),
    ("url", "URL"),
]


def _cited(content: dict) -> list[str]:
    texts = [content[name] for name, _ in CONTENT_FIELDS if name.startswith("summary")]
    texts += [c["text"] for s in content["sections"] for c in s["claims"]]
    return list(dict.fromkeys(k for t in texts for k in extract_keys(t)))


def diff_references(old: dict, new: dict, old_date, new_date) -> list[ReferenceChange]:
    """Cited references added or removed, and changes to a reference cited by both versions
    (as the reference stood at each version's date)."""
    old_keys, new_keys = _cited(old), _cited(new)
    keys = list(dict.fromkeys(new_keys + old_keys))
    if not keys:
        return []
    current = {r.key: r for r in Reference.objects.filter(key__in=keys)}
    changes = []
    for key in keys:
        title = current[key].title if key in current else key
        if key not in old_keys:
            changes.append(ReferenceChange(key, "added", title))
        elif key not in new_keys:
            changes.append(ReferenceChange(key, "removed", title))
    both = [current[k] for k in keys if k in old_keys and k in new_keys and k in current]
    if both and old_date and new_date:
        before, after = _reference_states(both, old_date), _reference_states(both, new_date)
        for reference in both:
            a, b = before.get(reference.pk), after.get(reference.pk)
            if a is None or b is None:
                continue
            fields = [
                FieldChange(label, word_diff(str(a.get(name) or ""), str(b.get(name) or "")))
                for name, label in REFERENCE_FIELDS
                if (a.get(name) or "") != (b.get(name) or "")
            ]
            if fields:
                changes.append(ReferenceChange(reference.key, "changed", reference.title, fields))
    return changes


def _reference_states(references, when) -> dict[int, dict]:
    """Each reference's fields as of `when`: its newest version saved at or before then."""
    versions = (
        Version.objects.get_for_model(Reference)
        .filter(object_id__in=[str(r.pk) for r in references], revision__date_created__lte=when)
        .order_by("object_id", "-revision__date_created", "-pk")
    )
    states = {}
    for version in versions:
        states.setdefault(int(version.object_id), version)
    return {pk: version.field_dict for pk, version in states.items()}
