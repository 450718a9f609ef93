"""Publishing: freezing an answer into a publication readers see, re-rendering a publication's
stored page, and withdrawing an answer from public view. Only the review workflow (and the
importer of already-reviewed pages) publishes."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from reversion.models import Version

from articles import cadence
from articles.answer_page import render_answer_parts
from articles.change_notes import literature_of
from articles.models import (
    Article,
    Publication,
    PublicationCitation,
    ReviewStatus,
    Withdrawal,
)
from articles.provenance import provenance_compute
from articles.published_files import answer_pages_changed
from articles.related import refresh_related_answers, related_drop, related_for, related_links_write
from articles.rendering import citation_order, plain_text, render_body_html
from articles.search import SEARCH_VECTOR
from articles.snapshots import load_article, snapshot_article
from core.tasks import effect, enqueue
from references.models import Reference


class PublishRefused(ValidationError):
    """The article cannot be published as it stands; the messages say why."""


def latest_revision(article: Article):
    version = Version.objects.get_for_object(article).select_related("revision").first()
    return version.revision if version else None


def article_publish(
    *,
    article: Article,
    origin: str,
    by=None,
    reviewed_on: date | None = None,
    revision=None,
    change_summary: str = "",
    change_class: str = "",
    change_note: str = "",
    content: dict | None = None,
    reviewed_by: list[dict] | None = None,
) -> Publication:
    """Freeze content into a new publication and make it the one readers see.

    `content` is the snapshot to publish (a review passes the one its board reviewed); without
    it, the working copy is checked and snapshotted now. Only the review workflow and the
    importer of already-reviewed pages call this. `change_class` and `change_note`: how the board
    classified the change and what it tells readers (`articles/change_notes.py`); "literature
    reviewed through" comes from the content.
    """
    with transaction.atomic():
        # Lock the article row so two publications cannot take the same number.
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if content is None:
            loaded = load_article(article.pk)
            problems = loaded.publication_problems()
            if problems:
                raise PublishRefused(problems)
            content = snapshot_article(loaded)
        number = (Publication.objects.filter(article_id=article.pk).aggregate(n=Max("number"))["n"] or 0) + 1
        summary_text, body_text = plain_text(content)
        reviewed_on = reviewed_on or timezone.localdate()
        revision = revision or latest_revision(locked)
        provenance = provenance_compute(
            article=locked, revision=revision, origin=origin, reviewed_by=reviewed_by or [], reviewed_on=reviewed_on
        )
        publication = Publication(
            article=locked,
            number=number,
            question=content["question"],
            content=content,
            html=render_body_html(content),
            origin=origin,
            reviewed_on=reviewed_on,
            published_at=timezone.now(),
            published_by=by,
            revision=revision,
            provenance=provenance,
            change_summary=change_summary,
            change_class=change_class or "",
            change_note=(change_note or "").strip(),
            literature_through=literature_of(content),
            reviewed_by=reviewed_by or [],
            summary_text=summary_text,
            body_text=body_text,
        )
        # other answers listed on the page, chosen now so that serving it stays one lookup
        publication.related_answers = related_for(
            article_id=locked.pk, topic_id=locked.topic_id, text=f"{publication.question} {summary_text}"
        )
        next_review_due = locked.due_after(reviewed_on)
        publication.head_html, publication.page_html = render_answer_parts(
            publication, slug=locked.slug, review_status=ReviewStatus.APPROVED, next_review_due=next_review_due
        )
        publication.shows_overdue_notice = cadence.is_overdue_for_readers(next_review_due)
        publication.save()
        if connection.vendor == "postgresql":
            # The search document is derived data, written once next to the immutable snapshot.
            Publication.objects.filter(pk=publication.pk).update(search_vector=SEARCH_VECTOR)
        cited = citation_order(content)  # keys in the order readers see them numbered
        PublicationCitation.objects.bulk_create(
            PublicationCitation(publication=publication, reference=reference, number=cited.index(reference.key) + 1)
            for reference in Reference.objects.filter(key__in=cited)
        )
        related_links_write(publication, publication.related_answers)
        answer_pages_changed(locked.slug)
        locked.current_publication = publication
        locked.last_reviewed_on = reviewed_on
        locked.next_review_due = next_review_due
        locked.save(update_fields=["current_publication", "last_reviewed_on", "next_review_due", "updated_at"])
        # A source retracted or superseded while this page was rendering (the event's transaction
        # did not see this publication yet): once both are committed, the worker gives the page
        # its notice.
        enqueue(
            flag_sources_recorded_meanwhile,
            publication_id=publication.pk,
            keys=cited,
            label=f"Check the sources of “{locked.slug}” version {number} for notices recorded meanwhile",
        )
        # the pages that list this answer (its question may have changed) or should list it now
        enqueue(
            refresh_related_answers,
            article_id=locked.pk,
            label=f"Related answers: the pages that list or should list “{locked.slug}”",
        )
    article.current_publication = publication
    article.last_reviewed_on = reviewed_on
    article.next_review_due = next_review_due
    return publication


@effect
def flag_sources_recorded_meanwhile(*, publication_id: int, keys: list[str]) -> None:
    flagged = Q(retracted_on__isnull=False) | Q(superseded_by__isnull=False)
    if not Reference.objects.filter(key__in=keys).filter(flagged).exists():
        return
    publication = Publication.objects.select_related("article").filter(pk=publication_id).first()
    if publication is not None:
        with transaction.atomic():
            publication_rerender_page(publication)


def publication_rerender_page(
    publication: Publication, *, article: Article | None = None, retire_caches: bool = True
) -> bool:
    """Re-render the stored page of a publication (derived data: the reviewed body is untouched).

    Used when something readers must see changes without a new review: a source of the answer
    was retracted or superseded, the answer became overdue for review. Returns whether the page
    changed; when it did (and unless `retire_caches` is off, for a caller that reconciles everything
    at the end), the answer's cached pages are retired and its file's sync is enqueued.
    """
    article = article or publication.article
    is_current = article.current_publication_id == publication.pk
    next_review_due = article.next_review_due if is_current else None
    head, page = render_answer_parts(
        publication, slug=article.slug, review_status=ReviewStatus.APPROVED, next_review_due=next_review_due
    )
    if (head, page) == (publication.head_html, publication.page_html):
        return False
    overdue = cadence.is_overdue_for_readers(next_review_due)
    # Derived fields only; Publication.save() refuses updates to keep the snapshot immutable.
    Publication.objects.filter(pk=publication.pk).update(
        head_html=head, page_html=page, page_rendered_at=timezone.now(), shows_overdue_notice=overdue
    )
    publication.head_html, publication.page_html, publication.shows_overdue_notice = head, page, overdue
    if retire_caches:
        answer_pages_changed(article.slug)
    return True


def article_withdraw_from_public(*, article: Article, by, reason: str) -> Withdrawal:
    """Take a published answer out of public view. The reason is recorded and shown to readers."""
    if not by.has_perm("articles.withdraw_article"):
        raise PermissionDenied(f"{by} may not withdraw answers from public view.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason readers will see: it is required to withdraw an answer.")
    with transaction.atomic():
        current = (
            Article.objects.select_for_update(of=("self",)).select_related("current_publication").get(pk=article.pk)
        )
        if current.current_publication is None:
            raise ValidationError("This answer is not public, so there is nothing to withdraw.")
        withdrawal = Withdrawal.objects.create(
            article=current, publication=current.current_publication, reason=reason, by=by
        )
        current.current_publication = None
        current.save(update_fields=["current_publication", "updated_at"])
        answer_pages_changed(current.slug)
        # gone everywhere: no page lists it as a related answer once this commits, and once it
        # has, the pages that chose it in a transaction racing this one choose again
        related_drop(article_id=current.pk)
        enqueue(
            refresh_related_answers,
            article_id=current.pk,
            label=f"Related answers: the pages that listed the withdrawn “{current.slug}”",
        )
    return withdrawal
