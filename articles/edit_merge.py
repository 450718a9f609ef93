"""A refused save, merged with what was saved meanwhile: three-way, field by field.

When two editors work on the same answer, the second save is refused (optimistic locking). So that
saving again applies only what the second editor actually changed, their form is merged: a field
they left as they found it takes the newer saved value; a field only they changed keeps their
text; a field both changed keeps their text and is listed, so they decide. The base is the
revision their form was opened at; `current` is the database now.
"""

from dataclasses import dataclass, field

from django.http import QueryDict
from reversion.models import Revision

from articles.content import CONTENT_FIELDS, FORM_FIELDS
from articles.models import Article, Claim, Section

LABELS = {name: label[0].lower() + label[1:] for name, label in CONTENT_FIELDS} | {
    "topic": "topic",
    "review_interval_months": "re-review interval",
}

# the article form's fields that are content: (form field, stored attribute, label)
ARTICLE_FIELDS = [
    (name, "topic_id" if name == "topic" else name, f"the {LABELS.get(name, name.replace('_', ' '))}")
    for name in FORM_FIELDS
]
SECTION_FIELDS = ["heading", "audience"]
CLAIM_FIELDS = ["text", "grade"]


@dataclass
class Merge:
    data: QueryDict
    taken: list[str] = field(default_factory=list)  # fields that now show the newer saved value
    clashes: list[str] = field(default_factory=list)  # fields both changed: the editor's text kept


def _norm(value) -> str:
    # browsers send textareas with CRLF; stored text may have LF
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def _values_at(revision: Revision, article_id: int) -> dict:
    """{(kind, id, field): value} of the article, its sections and claims as saved in `revision`."""
    values = {}
    for version in revision.version_set.select_related("content_type"):
        model, data = version.content_type.model_class(), version.field_dict
        if model is Article and int(version.object_id) == article_id:
            values |= {("article", article_id, attr): data.get(attr) for _, attr, _ in ARTICLE_FIELDS}
        elif model is Section and data.get("article_id") == article_id:
            values |= {("section", data["id"], name): data.get(name) for name in SECTION_FIELDS}
        elif model is Claim:
            values |= {("claim", data["id"], name): data.get(name) for name in CLAIM_FIELDS}
    return values


def _values_now(article_id: int) -> dict:
    values = {}
    row = Article.objects.filter(pk=article_id).values(*(attr for _, attr, _ in ARTICLE_FIELDS)).first() or {}
    values |= {("article", article_id, attr): value for attr, value in row.items()}
    for row in Section.objects.filter(article_id=article_id).values("id", *SECTION_FIELDS):
        values |= {("section", row["id"], name): row[name] for name in SECTION_FIELDS}
    for row in Claim.objects.filter(section__article_id=article_id).values("id", *CLAIM_FIELDS):
        values |= {("claim", row["id"], name): row[name] for name in CLAIM_FIELDS}
    return values


def _form_fields(data: QueryDict, article_id: int):
    """(POST key, (kind, id, field), label) for each content field in the submitted change form."""
    for form_field, attr, label in ARTICLE_FIELDS:
        if form_field in data:
            yield form_field, ("article", article_id, attr), label
    for s in range(_count(data, "sections")):
        section_id = _int(data.get(f"sections-{s}-id"))
        heading = data.get(f"sections-{s}-heading", "")
        if section_id is None:
            continue  # a section added in this form: nothing to merge with
        for name in SECTION_FIELDS:
            yield f"sections-{s}-{name}", ("section", section_id, name), f"the {name} of section {s + 1}"
        for c in range(_count(data, f"sections-{s}-claims")):
            claim_id = _int(data.get(f"sections-{s}-claims-{c}-id"))
            if claim_id is not None:
                where = f"section {s + 1} “{heading}”, claim {c + 1}"
                yield f"sections-{s}-claims-{c}-text", ("claim", claim_id, "text"), where
                yield f"sections-{s}-claims-{c}-grade", ("claim", claim_id, "grade"), f"the grade of {where}"


def _count(data, prefix) -> int:
    return min(_int(data.get(f"{prefix}-TOTAL_FORMS")) or 0, 1000)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def merge_refused_edit(data: QueryDict, *, article_id: int, base_revision_id: int | None) -> Merge | None:
    """The submitted form merged with the article as saved now, or None without a base to merge from."""
    base_revision = Revision.objects.filter(pk=base_revision_id).first() if base_revision_id else None
    if base_revision is None:
        return None
    base, now = _values_at(base_revision, article_id), _values_now(article_id)
    if not any(key[0] == "article" for key in base):
        return None  # not a revision of this article
    merged = Merge(data=data.copy())
    for post_key, key, label in _form_fields(data, article_id):
        if key not in base or key not in now or post_key not in data:
            continue  # added or deleted since: the formsets report it
        mine, was, theirs = _norm(data.get(post_key)), _norm(base[key]), _norm(now[key])
        if theirs == was or mine == theirs:
            continue
        if mine == was:
            merged.data[post_key] = "" if now[key] is None else str(now[key])
            merged.taken.append(label)
        else:
            merged.clashes.append(label)
    return merged
