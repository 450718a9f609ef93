"""The write API: drafting pipelines create and update draft answers and submit them for review.

Every write calls the service the admin's actions use (articles.drafts.draft_save,
reviews.services.review_submit) with the token's owner as the acting user, so validation,
permissions, the review lock, versions and the audit trail are the same. Nothing here can start a
review, approve or publish: only the Medical Advisory Board does that, in the admin.
"""

from contextlib import contextmanager

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Header, Path, Router, Status
from ninja.decorators import decorate_view

from api.auth import TokenAuth, limit_body_size
from api.errors import ApiError
from api.models import ApiRevision, Scope
from api.schemas import DraftIn, DraftOut, Error, ReviewStatusOut, SubmitIn, UnknownCitationsError
from articles.drafts import UPDATE_PERMISSIONS, DraftInput, ReferenceInput, SectionInput, draft_save
from articles.models import Article
from articles.snapshots import load_article
from core import people
from core.people import display_name
from core.text import clean_text
from reviews.models import Review
from reviews.services import review_submit

router = Router(tags=["Drafts and reviews"])

MAX_ID = 2**63 - 1
WRITE = TokenAuth(Scope.DRAFTS_WRITE)
READ_REVIEWS = TokenAuth(Scope.REVIEWS_READ)
COMMON_ERRORS = {401: Error, 403: Error, 404: Error, 429: Error}
WRITE_ERRORS = {**COMMON_ERRORS, 400: Error, 409: Error, 413: Error, 422: UnknownCitationsError}
UPDATE_ERRORS = {**WRITE_ERRORS, 428: Error}


def _draft_input(draft: DraftIn) -> DraftInput:
    """The draft as the service takes it, without invisible and control characters (core.text):
    models clean text on save too, but citations and required fields are checked on this text."""
    c = clean_text
    return DraftInput(
        question=c(draft.question),
        slug=draft.slug,
        topic=draft.topic,
        summary_heading=c(draft.summary_heading),
        summary=c(draft.summary),
        summary_variants={name: c(text) for name, text in draft.summary_variants.dict().items() if c(text).strip()},
        sections=[
            SectionInput(heading=c(s.heading), audience=s.audience, claims=[c(claim) for claim in s.claims])
            for s in draft.sections
        ],
        references=[
            ReferenceInput(**{name: c(value) for name, value in reference.dict().items()})
            for reference in draft.references
        ],
        # sent (a date or null) replaces it; not sent keeps the article's
        **({"literature_through": draft.literature_through} if "literature_through" in draft.model_fields_set else {}),
    )


def _comment(draft: DraftIn, token, action: str) -> str:
    summary = draft.change_summary.strip()
    return (
        f"{summary} ({action} through the API, token “{token.name}”)"
        if summary
        else f"{action} through the API, token “{token.name}”"
    )


PRECONDITION_REQUIRED = (
    "Send the version you are replacing: `version` in the body (the draft's `version` when you read it) "
    "or an `If-Match` header with its ETag. An update without it could overwrite a newer save, so "
    "nothing was written. Read the draft (GET /api/drafts/{id}/) and send its version."
)


def _expected_version(draft: DraftIn, if_match: str | None) -> int:
    """The version the client says it is replacing; 428 when it says none (or `If-Match: *`,
    which would overwrite whatever is there): an update must never overwrite a newer save."""
    if if_match and if_match.strip() != "*":
        value = if_match.strip().removeprefix("W/").strip('"')
        if not value.isdigit() or len(value) > 12:
            raise ApiError(
                400,
                'If-Match must be the draft\'s version, e.g. "3".',
                errors=[{"field": "If-Match", "message": "Not a version number."}],
            )
        return int(value)
    if draft.version is None:
        raise ApiError(
            428,
            PRECONDITION_REQUIRED,
            errors=[{"field": "version", "message": "Required on update (or the If-Match header)."}],
        )
    return draft.version


@contextmanager
def _written_by(token):
    """A revision block recording which client writes (and what it declared itself to be): the
    draft's own revision (articles.drafts.draft_save) joins it, so the record is in that revision's
    meta, and a publication's provenance can say an automated system drafted it. Only around
    `draft_save`: a submission pins its own revision (reviews.services.review_submit reads it back
    at once, so it must not be joined into a block still open) and changes no words."""
    with reversion.create_revision():
        reversion.add_meta(ApiRevision, **ApiRevision.values_for(token))
        yield


def _article(article_id: int) -> Article:
    return get_object_or_404(Article, pk=article_id)


def _draft_out(request, article: Article) -> dict:
    article = load_article(article.pk)
    return {
        "id": article.pk,
        "slug": article.slug,
        "question": article.question,
        "topic": article.topic.slug if article.topic_id else "",
        "summary_heading": article.summary_heading,
        "summary": article.summary,
        "summary_variants": article.summary_variants(),
        "literature_through": article.literature_through,
        "sections": [
            {
                "heading": section.heading,
                "audience": section.audience,
                "claims": [{"text": claim.text, "grade": claim.grade} for claim in section.claims.all()],
            }
            for section in article.sections.all()
        ],
        "review_status": article.review_status,
        "locked": article.is_locked,
        "version": article.edit_version,
        "problems": article.submission_problems(),
        "admin_url": request.build_absolute_uri(reverse("admin:articles_article_change", args=[article.pk])),
        "review_url": request.build_absolute_uri(reverse("api:draft_review", kwargs={"article_id": article.pk})),
    }


def _version_etag(response: HttpResponse, article_out: dict) -> None:
    if article_out["version"] is not None:
        response["ETag"] = f'"{article_out["version"]}"'


@router.post(
    "/drafts/",
    auth=WRITE,
    response={201: DraftOut, **WRITE_ERRORS},
    url_name="drafts",
    summary="Create a draft answer",
)
@decorate_view(limit_body_size)
def draft_create(request, response: HttpResponse, draft: DraftIn):
    """Create a draft answer with its sections, claims and references, as one new version in the
    article's history by the token's owner. References are given by key, DOI or PMID; missing
    ones are created (give their title). Nothing is public until the board approves it."""
    token = request.auth
    with transaction.atomic():  # the response is built inside it: a failure there undoes the save too
        with _written_by(token):
            article = draft_save(draft=_draft_input(draft), by=token.owner, comment=_comment(draft, token, "Created"))
        out = _draft_out(request, article)
    _version_etag(response, out)
    response["Location"] = request.build_absolute_uri(reverse("api:draft", kwargs={"article_id": article.pk}))
    return Status(201, out)


@router.get(
    "/drafts/{article_id}/",
    auth=WRITE,
    response={200: DraftOut, 304: None, **COMMON_ERRORS},
    url_name="draft",
    summary="Read a draft answer (the working copy)",
)
def draft_detail(request, response: HttpResponse, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """The editors' working copy, which may differ from what readers see, with what still stops
    it from being submitted."""
    if not request.auth.owner.has_perm("articles.view_article"):
        raise PermissionDenied(f"{request.auth.owner} may not view articles.")
    out = _draft_out(request, _article(article_id))
    _version_etag(response, out)
    return out


@router.put(
    "/drafts/{article_id}/",
    auth=WRITE,
    response={200: DraftOut, **UPDATE_ERRORS},
    url_name="draft_update",
    summary="Replace a draft answer's content",
)
@decorate_view(limit_body_size)
def draft_update(
    request,
    response: HttpResponse,
    draft: DraftIn,
    article_id: int = Path(..., ge=1, le=MAX_ID),
    if_match: str | None = Header(None, alias="If-Match", max_length=100),
):
    """Replace the whole content (sections and claims are matched by position). `version` (or
    `If-Match`) is required: 428 without it, 409 when it is not the current version (someone saved
    since you read it) or while the article is in review."""
    token = request.auth
    article = _article(article_id)
    if not token.owner.has_perms(UPDATE_PERMISSIONS):  # before the precondition: 403 says more than 428
        raise PermissionDenied(f"{token.owner} may not change articles.")
    expected_version = _expected_version(draft, if_match)
    with transaction.atomic():
        with _written_by(token):
            article = draft_save(
                draft=_draft_input(draft),
                by=token.owner,
                article=article,
                comment=_comment(draft, token, "Updated"),
                expected_version=expected_version,
            )
        out = _draft_out(request, article)
    _version_etag(response, out)
    return out


@router.post(
    "/drafts/{article_id}/submit/",
    auth=WRITE,
    response={201: ReviewStatusOut, **{**WRITE_ERRORS, 422: Error}},
    url_name="draft_submit",
    summary="Submit a draft for review by the Medical Advisory Board",
)
@decorate_view(limit_body_size)
def draft_submit(request, submission: SubmitIn | None = None, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """Open a review cycle on the draft as it is now (the admin's “Submit for review”). The
    article is locked until the cycle ends; the board is emailed. Refused with 422 and every
    reason when it cannot be submitted (unresolved citations, no sections, already in review)."""
    article = _article(article_id)
    change_summary = submission.change_summary.strip() if submission else ""
    # One transaction with building the response: if anything fails, no review is opened and the
    # board is told nothing. The board's email is review_submit's: it leaves only once committed.
    with transaction.atomic():
        review_submit(article=article, by=request.auth.owner, change_summary=change_summary)
        out = _review_status(request, article)
    return Status(201, out)


@router.get(
    "/drafts/{article_id}/review/",
    auth=READ_REVIEWS,
    response={200: ReviewStatusOut, **COMMON_ERRORS},
    url_name="draft_review",
    summary="Read an answer's review status",
)
def draft_review(request, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """Where the answer is in the workflow: each review cycle with its audit trail (including the
    board's comments when changes are requested), and the version readers see, if any."""
    if not request.auth.owner.has_perm("reviews.view_review"):
        raise PermissionDenied(f"{request.auth.owner} may not view reviews.")
    return _review_status(request, _article(article_id))


def _name(user) -> str:
    return display_name(user)


def _review_status(request, article: Article) -> dict:
    article = Article.objects.select_related("current_publication").get(pk=article.pk)
    reviews = (
        Review.objects.filter(article=article)
        .select_related(*people.related("submitted_by"), *people.related("reviewer"))
        .prefetch_related(*people.related("transitions__by"))
        .order_by("-submitted_at", "-id")
    )
    publication = article.current_publication
    published = None
    if publication is not None:
        published = {
            "version": publication.number,
            "published_at": publication.published_at,
            "url": request.build_absolute_uri(reverse("articles:detail", kwargs={"slug": article.slug})),
            "api_url": request.build_absolute_uri(reverse("api:answer", kwargs={"slug": article.slug})),
        }
    return {
        "id": article.pk,
        "slug": article.slug,
        "review_status": article.review_status,
        "locked": article.is_locked,
        "lock_reason": article.lock_reason,
        "published": published,
        "reviews": [
            {
                "id": review.pk,
                "state": review.state,
                "submitted_at": review.submitted_at,
                "submitted_by": _name(review.submitted_by),
                "reviewer": _name(review.reviewer),
                "started_at": review.started_at,
                "closed_at": review.closed_at,
                "change_summary": review.change_summary,
                "transitions": [
                    {
                        "name": t.name,
                        "source": t.source,
                        "target": t.target,
                        "at": t.at,
                        "by": _name(t.by) if t.by else "system",
                        "comment": t.comment,
                    }
                    for t in review.transitions.all()
                ],
            }
            for review in reviews
        ],
        "admin_url": request.build_absolute_uri(reverse("admin:articles_article_change", args=[article.pk])),
    }
