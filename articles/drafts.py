"""Saving a whole draft answer at once: question, summaries, sections of claims, and the references
they cite (by key, DOI or PMID, creating the missing ones).

The write API calls this. It checks the same permissions the admin does, respects the review
lock, validates with the models' own validation, and writes everything as one revision (with the
acting user and a comment) inside one transaction: on any error nothing at all is written.
"""

from dataclasses import dataclass, field

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from articles.audiences import Audience
from articles.content import EDIT_CONTENT_PERMISSIONS, content_build, content_save
from articles.models import Article, Claim, Section, Topic, assert_unlocked
from references.citations import MARKER_RE, extract_keys, format_marker, keys_in_marker
from references.identifiers import normalise_doi, normalise_pmid
from references.models import Reference
from references.services import reference_find_duplicate, reference_make_key, unknown_keys

CREATE_PERMISSIONS = ("articles.add_article", "articles.add_section", "articles.add_claim")
UPDATE_PERMISSIONS = EDIT_CONTENT_PERMISSIONS
REFERENCE_PERMISSION = "references.add_reference"


@dataclass(frozen=True)
class ReferenceInput:
    """A reference the draft cites: an existing one by key, DOI or PMID, or a new one to create.

    `key` is how the draft's text cites it; when the reference already exists under another key
    (found by DOI, PMID, or title and year), the text's markers are rewritten to that key.
    """

    key: str = ""
    doi: str = ""
    pmid: str = ""
    kind: str = Reference.Kind.RESEARCH
    title: str = ""
    authors: str = ""
    source: str = ""
    year: int | None = None
    url: str = ""


@dataclass(frozen=True)
class SectionInput:
    heading: str
    claims: list[str] = field(default_factory=list)
    audience: str = ""


KEEP = "keep"


@dataclass(frozen=True)
class DraftInput:
    question: str
    summary: str
    sections: list[SectionInput] = field(default_factory=list)
    slug: str = ""
    topic: str = ""  # a topic's slug
    summary_heading: str = ""
    summary_variants: dict[str, str] = field(default_factory=dict)  # audience → text
    references: list[ReferenceInput] = field(default_factory=list)
    # "Literature reviewed through" (a date, or None to clear it); KEEP leaves the article's as it is,
    # so a pipeline that does not send it never clears the date an editor set
    literature_through: object = KEEP


class DraftInvalid(ValidationError):
    """The draft was refused; `message_dict` maps each place in the input (e.g.
    `sections[0].claims[2].text`) to what is wrong there. Nothing was written."""


class UnknownCitations(DraftInvalid):
    """The draft cites keys that name no reference and that it does not define. Nothing was written."""

    def __init__(self, places: dict[str, list[str]]):
        self.unknown_keys = list(dict.fromkeys(key for keys in places.values() for key in keys))
        super().__init__(
            {
                place: [f"Unknown reference key “{key}”: add it to “references” (with a DOI, PMID or title)."]
                for place, keys in places.items()
                for key in keys
            }
        )


class DraftConflict(ValidationError):
    """The article changed since the client read it, or a concurrent save took the same slug or
    reference. Nothing was written; read it again and retry."""


def draft_save(
    *,
    draft: DraftInput,
    by,
    article: Article | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """Create (or replace the content of) a draft article as one revision by `by`; may create references.

    Raises PermissionDenied, ArticleLocked, DraftConflict, UnknownCitations or DraftInvalid, and
    then has written nothing.
    """
    wanted = CREATE_PERMISSIONS if article is None else UPDATE_PERMISSIONS
    if not by.has_perms(wanted):
        raise PermissionDenied(f"{by} may not {'create' if article is None else 'change'} articles.")
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(by)
            reversion.set_comment(comment or ("Draft created" if article is None else "Draft updated"))
            return _save(draft, by=by, article=article, expected_version=expected_version)
    except IntegrityError:
        # A concurrent save took the same slug, reference key, DOI or PMID after we checked.
        raise DraftConflict(
            "Another save took the same address or reference at the same time; nothing was written. Retry."
        ) from None


def _save(draft: DraftInput, *, by, article: Article | None, expected_version: int | None) -> Article:
    if article is None:
        current = Article()
    else:
        current = Article.objects.select_for_update().get(pk=article.pk)
        assert_unlocked(current.pk)
        version = current.edit_version
        if expected_version is not None and expected_version != version:
            raise DraftConflict(
                f"The article was changed since version {expected_version} (it is now at version {version}); "
                "nothing was written. Read it again and reapply your changes."
            )

    errors: dict[str, list[str]] = {}
    renames = _resolve_references(draft.references, by=by, errors=errors)
    texts = _texts(draft, renames)
    places = {}
    for place, text in texts.items():
        missing = unknown_keys(extract_keys(text))
        if missing:
            places[place] = missing
    _fill_article(current, draft, texts, errors)
    sections = _build_sections(current, draft, texts, errors)
    if errors:
        raise DraftInvalid(errors)
    if places:
        raise UnknownCitations(places)

    current.save()
    content_save(current, sections)
    return current


def _resolve_references(references: list[ReferenceInput], *, by, errors) -> dict[str, str]:
    """Find or create each reference; return {key as cited in the draft: the reference's real key}."""
    renames: dict[str, str] = {}
    seen: dict[str, int] = {}
    taken: set[str] = set()
    for index, given in enumerate(references):
        where = f"references[{index}]"
        found = _resolve_one(given, where=where, by=by, errors=errors, taken=taken)
        if given.key:
            if given.key in seen:
                errors.setdefault(f"{where}.key", []).append(
                    f"The key “{given.key}” is already given by references[{seen[given.key]}]."
                )
            seen[given.key] = index
        if found is None:
            continue
        taken.add(found.key)
        if given.key and given.key != found.key:
            renames[given.key] = found.key
    return renames


def _resolve_one(given: ReferenceInput, *, where, by, errors, taken) -> Reference | None:
    doi = pmid = ""
    try:
        doi = normalise_doi(given.doi)
    except ValueError as exc:
        errors.setdefault(f"{where}.doi", []).append(str(exc))
    try:
        pmid = normalise_pmid(given.pmid)
    except ValueError as exc:
        errors.setdefault(f"{where}.pmid", []).append(str(exc))
    if f"{where}.doi" in errors or f"{where}.pmid" in errors:
        return None
    if not (given.key or doi or pmid or given.title):
        errors.setdefault(where, []).append("Give the reference's key, DOI or PMID (and a title to create it).")
        return None

    by_key = Reference.objects.filter(key=given.key).first() if given.key else None
    if by_key is not None:
        # An existing key wins; identifiers given with it must not contradict it.
        for name, value in (("doi", doi), ("pmid", pmid)):
            stored = getattr(by_key, name)
            if value and stored and value.lower() != stored.lower():
                errors.setdefault(f"{where}.{name}", []).append(
                    f"The reference “{by_key.key}” has {name.upper()} {stored}, not {value}."
                )
        return None if f"{where}.doi" in errors or f"{where}.pmid" in errors else by_key
    found = reference_find_duplicate(doi=doi, pmid=pmid, title=given.title, year=given.year)
    if found is not None:
        return found
    if not given.title.strip():
        errors.setdefault(f"{where}.title", []).append(
            "No reference has this key, DOI or PMID: give its title (and kind, authors, source, year) to add it."
        )
        return None
    if not by.has_perm(REFERENCE_PERMISSION):
        raise PermissionDenied(f"{by} may not add references.")
    key = given.key
    if not key or key in taken or Reference.objects.filter(key=key).exists():
        key = reference_make_key(title=given.title, year=given.year, taken=taken)
    reference = Reference(
        key=key,
        kind=given.kind or Reference.Kind.RESEARCH,
        title=given.title.strip(),
        authors=given.authors,
        source=given.source,
        year=given.year,
        doi=doi,
        pmid=pmid,
        url=given.url,
    )
    try:
        reference.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(where if name == "__all__" else f"{where}.{name}", []).extend(messages)
        return None
    reference.save()
    return reference


def _rename(text: str, renames: dict[str, str]) -> str:
    if not renames or not text:
        return text

    def replace(match):
        keys = keys_in_marker(match.group(0))
        if not any(key in renames for key in keys):
            return match.group(0)
        return format_marker(list(dict.fromkeys(renames.get(key, key) for key in keys)))

    return MARKER_RE.sub(replace, text)


def _texts(draft: DraftInput, renames) -> dict[str, str]:
    """Every text of the draft by its place in the input, with citation keys resolved."""
    texts = {"summary": draft.summary}
    for audience, text in draft.summary_variants.items():
        texts[f"summary_variants.{audience}"] = text
    for s_index, section in enumerate(draft.sections):
        for c_index, claim in enumerate(section.claims):
            texts[f"sections[{s_index}].claims[{c_index}].text"] = claim
    return {place: _rename(text, renames) for place, text in texts.items()}


def _fill_article(current: Article, draft: DraftInput, texts: dict[str, str], errors) -> None:
    current.question = " ".join(draft.question.split())
    current.summary_heading = draft.summary_heading
    current.summary = texts["summary"]
    if draft.literature_through != KEEP:
        current.literature_through = draft.literature_through
    for audience in draft.summary_variants:
        if audience not in Audience.values:
            errors.setdefault(f"summary_variants.{audience}", []).append(
                f"Not an audience; use one of {', '.join(Audience.values)}."
            )
    for audience in Audience.values:
        setattr(current, f"summary_{audience}", texts.get(f"summary_variants.{audience}", ""))
    current.topic = None
    if draft.topic:
        current.topic = Topic.objects.filter(slug=draft.topic).first()
        if current.topic is None:
            errors.setdefault("topic", []).append(f"No topic has the slug “{draft.topic}”.")
    if current.pk is None:
        current.slug = draft.slug or _free_slug(current.question)
    elif draft.slug and draft.slug != current.slug:
        if current.publications.exists():
            errors.setdefault("slug", []).append(
                "This answer has been published: its address (slug) cannot change, readers' links depend on it."
            )
        else:
            current.slug = draft.slug
    names = {f"summary_{a}": f"summary_variants.{a}" for a in Audience.values}
    try:
        # Article.clean() only checks citations, which _save() checks across the whole draft.
        current.clean_fields(exclude=["topic"])
        current.validate_unique()
        current.validate_constraints()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(names.get(name, name), []).extend(messages)


def _free_slug(question: str) -> str:
    base = slugify(question)[:100].strip("-") or "draft"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _build_sections(current: Article, draft: DraftInput, texts, errors) -> list[tuple[Section, list[Claim]]]:
    """The sections and claims to save (`articles.content.content_build`), validated, not saved."""
    built = content_build(
        current,
        [
            {
                "heading": given.heading,
                "audience": given.audience,
                "claims": [
                    {"text": texts[f"sections[{s_index}].claims[{c_index}].text"]}
                    for c_index in range(len(given.claims))
                ],
            }
            for s_index, given in enumerate(draft.sections)
        ],
    )
    for s_index, (section, claims) in enumerate(built):
        _collect(errors, f"sections[{s_index}]", section, exclude=["article"])
        for c_index, claim in enumerate(claims):
            _collect(errors, f"sections[{s_index}].claims[{c_index}]", claim, exclude=["section"])
    return built


def _collect(errors, where: str, obj, *, exclude) -> None:
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(f"{where}.{name}", []).extend(messages)
