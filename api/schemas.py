"""The API's request and response shapes (pydantic, via django-ninja): what /api/schema/ describes."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from articles.audiences import Audience
from articles.models import MAX_CLAIM_CHARS, MAX_SUMMARY_CHARS, ReviewStatus
from references.models import Reference


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded: refuse both as bad
    # input here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def Text(max_length: int | None = None, min_length: int = 0, **kwargs):
    return Annotated[str, Field(max_length=max_length, min_length=min_length, **kwargs), AfterValidator(_storable)]


SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=SLUG_PATTERN)]
AudienceName = Literal[tuple(Audience.values)]  # type: ignore[valid-type]
SectionAudience = Literal[("", *Audience.values)]  # type: ignore[valid-type]
ReferenceKind = Literal[tuple(Reference.Kind.values)]  # type: ignore[valid-type]
State = Literal[tuple(ReviewStatus.values)]  # type: ignore[valid-type]


# --- errors -----------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="Where in the request, e.g. `sections[0].claims[2].text` or `page`.")
    message: str


class Error(Schema):
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class UnknownCitationsError(Error):
    unknown_keys: list[str] = Field(description="Every cited key that names no reference, in order of appearance.")


class WithdrawnError(Error):
    reason: str = Field(description="Why the answer was withdrawn, as readers are told.")
    withdrawn_at: datetime


# --- the public read API --------------------------------------------------------------------


class TopicOut(Schema):
    slug: str
    name: str


class AnswerSummaryOut(Schema):
    slug: str
    question: str
    summary: str = Field(description="The summary answer as plain text.")
    topic: TopicOut | None
    version: int = Field(description="The publication number: 1 for the first approved version, then 2, 3, …")
    reviewed_on: date
    published_at: datetime = Field(description="When this version was published (what `updated_since` compares).")
    url: str = Field(description="The answer's public page.")
    api_url: str


class AnswerListOut(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[AnswerSummaryOut]


class GradeOut(Schema):
    code: str = Field(description="GRADE (`high` … `very_low`) or strength × quality (`1A` … `2C`).")
    label: str
    level: int = Field(ge=1, le=4, description="4 high … 1 very low, comparable across schemes.")


class ClaimOut(Schema):
    text: str = Field(description="Markdown, with citation markers such as `[@acp-lbp-2017]`.")
    citations: list[int] = Field(description="Numbers, in the reference list, of the references this claim cites.")
    grade: GradeOut | None = Field(description="The evidence grade the board approved with the claim, if any.")


class SectionOut(Schema):
    heading: str
    audience: str = Field(description="Empty for everyone, else the only audience the section is for.")
    claims: list[ClaimOut]


class ReferenceOut(Schema):
    number: int
    key: str
    kind: str
    kind_label: str
    title: str
    authors: str
    source: str
    year: int | None
    doi: str
    doi_url: str
    pmid: str
    pubmed_url: str
    url: str


class ReviewerOut(Schema):
    name: str
    credentials: str


class DraftedWithOut(Schema):
    kind: Literal["automated", "import"] = Field(
        description="`automated`: an automated drafting system wrote the first draft; `import`: imported content."
    )
    system: str = Field(description="The automated system's model or pipeline, as its API client declared it.")


class ProvenanceOut(Schema):
    drafted_with: DraftedWithOut | None = Field(
        description="What the first draft of this version came from, when not a person; never an author."
    )
    editors: int = Field(description="How many editors changed the text since the previous version.")
    summary: str = Field(
        description="“How this answer was made”, as readers see it; empty for versions published before it was recorded."
    )


class ReviewInfoOut(Schema):
    origin: Literal["approval", "import"] = Field(
        description="`approval`: approved by the Medical Advisory Board; `import`: reviewed on the previous site."
    )
    reviewed_on: date
    published_at: datetime
    reviewers: list[ReviewerOut]
    change_summary: str
    change_class: Literal["practice-changing", "major", "minor", "editorial"] | None = Field(
        description="How the board classified this version's change; null when no one was asked (imports)."
    )
    change_note: str = Field(description="What changed, as the board approved it for readers; empty when none.")
    literature_through: date | None = Field(
        description="Literature reviewed through: how far the evidence was searched (reviewed content)."
    )
    provenance: ProvenanceOut


class AnswerOut(Schema):
    slug: str
    question: str
    version: int = Field(description="The publication number of the version shown.")
    url: str
    api_url: str
    topic: TopicOut | None
    summary_heading: str
    summary: str = Field(description="Markdown, with citation markers.")
    summary_citations: list[int]
    summary_variants: dict[str, str] = Field(description="The summary for an audience (patient, professional, …).")
    sections: list[SectionOut]
    references: list[ReferenceOut] = Field(description="Exactly the cited references, numbered as readers see them.")
    review: ReviewInfoOut
    html: str = Field(description="The body as rendered for readers (sanitised HTML).")


# --- the write API --------------------------------------------------------------------------


class StrictIn(Schema):
    # A misspelt field is an error naming it, not silently dropped content.
    model_config = ConfigDict(extra="forbid")


class ReferenceIn(StrictIn):
    key: Annotated[str, Field(max_length=80, pattern=r"^([A-Za-z0-9][A-Za-z0-9_-]*)?$")] = Field(
        "",
        description="How the draft cites it (`[@key]`). An existing key is used as it is; otherwise the "
        "reference is found by DOI, PMID or title and year, or created, and the markers rewritten to its key.",
    )
    doi: Text(200) = ""
    pmid: Text(20) = ""
    kind: ReferenceKind = Reference.Kind.RESEARCH
    title: Text(500) = Field("", description="Required to create a reference that does not exist yet.")
    authors: Text(500) = ""
    source: Text(300) = ""
    year: int | None = Field(None, ge=1500, le=2200)
    url: Text(500) = ""


class SectionIn(StrictIn):
    heading: Text(200, min_length=1)
    audience: SectionAudience = ""
    claims: list[Text(MAX_CLAIM_CHARS, min_length=1)] = Field(
        default_factory=list, max_length=200, description="Markdown statements, each ending in its citations."
    )


class SummaryVariantsIn(StrictIn):
    patient: Text(MAX_SUMMARY_CHARS) = ""
    professional: Text(MAX_SUMMARY_CHARS) = ""
    student: Text(MAX_SUMMARY_CHARS) = ""


class DraftIn(StrictIn):
    question: Text(300, min_length=1)
    slug: Annotated[str, Field(max_length=120, pattern=r"^([-a-zA-Z0-9_]+)?$")] = Field(
        "", description="Optional; made from the question when empty. Cannot change once published."
    )
    topic: Annotated[str, Field(max_length=100, pattern=r"^([-a-zA-Z0-9_]+)?$")] = Field(
        "", description="A topic's slug, or empty."
    )
    summary_heading: Text(200) = ""
    summary: Text(MAX_SUMMARY_CHARS, min_length=1) = Field(description="Markdown; cite as `[@key]` or `[@a; @b]`.")
    summary_variants: SummaryVariantsIn = Field(default_factory=SummaryVariantsIn)
    sections: list[SectionIn] = Field(default_factory=list, max_length=100)
    references: list[ReferenceIn] = Field(default_factory=list, max_length=500)
    change_summary: Text(300) = Field("", description="What changed and why: the comment in the article's history.")
    literature_through: date | None = Field(
        None,
        description="Literature reviewed through: the date up to which the evidence was searched (not in the "
        "future). Required before submission. Omitted on update: the article keeps its date; null clears it.",
    )
    version: int | None = Field(
        None,
        ge=0,
        le=2**31 - 1,
        description="Required on update (or the `If-Match` header): the `version` you read; refused with "
        "409 if the article changed since, 428 when neither is sent.",
    )


class DraftClaimOut(Schema):
    text: str
    grade: str = Field(
        description="The evidence grade an editor confirmed in the admin, or empty. Not settable here; "
        "cleared when the claim's text changes."
    )


class DraftSectionOut(Schema):
    heading: str
    audience: str
    claims: list[DraftClaimOut]


class DraftOut(Schema):
    id: int
    slug: str
    question: str
    topic: str = Field(description="The topic's slug, or empty.")
    summary_heading: str
    summary: str
    summary_variants: dict[str, str]
    literature_through: date | None = Field(description="Literature reviewed through, or null when not set.")
    sections: list[DraftSectionOut]
    review_status: State
    locked: bool = Field(description="True while a review cycle is open: the draft cannot be changed then.")
    version: int | None = Field(
        description="Send it back on update (required: 428 without it); 409 if someone saved since."
    )
    problems: list[str] = Field(description="What stops it being submitted for review now; empty when it can be.")
    admin_url: str
    review_url: str


class SubmitIn(StrictIn):
    change_summary: Text(500) = Field("", description="For the board: what changed since the last approved version.")


class TransitionOut(Schema):
    name: str
    source: State
    target: State
    at: datetime
    by: str
    comment: str


class ReviewCycleOut(Schema):
    id: int
    state: State
    submitted_at: datetime
    submitted_by: str
    reviewer: str
    started_at: datetime | None
    closed_at: datetime | None
    change_summary: str
    transitions: list[TransitionOut]


class PublishedOut(Schema):
    version: int
    published_at: datetime
    url: str
    api_url: str


class ReviewStatusOut(Schema):
    id: int
    slug: str
    review_status: State
    locked: bool
    lock_reason: str
    published: PublishedOut | None = Field(description="The version readers see now, if any.")
    reviews: list[ReviewCycleOut] = Field(description="Review cycles, newest first.")
    admin_url: str
