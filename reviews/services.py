"""The review workflow's writes. The admin, the commands and the API call only these. (Long because
every transition and its rules are in one place: the conflict and schedule rules are delegated to
`reviews/disclosures.py` and `reviews/schedules.py`.)

Every transition runs in one transaction that locks the review row, checks the permission and
the conditions, applies the django-fsm transition, saves (ConcurrentTransitionMixin refuses a
stale state), mirrors the state onto the article, appends to the audit trail, and enqueues its
effects — the answer's page sync, one email per recipient — as durable effects in that same
transaction (`core/tasks.py`): the worker runs them, so a mail server or storage that is down
delays an email or a file, never the decision.
"""

import hashlib
import json

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm
from reversion.models import Version

from articles import change_notes
from articles.models import Article, Publication, ReviewStatus
from articles.published_files import answer_pages_changed
from articles.publishing import article_publish
from articles.snapshots import load_article, snapshot_article
from core.people import display_name
from reviews import disclosures, notifications, stages
from reviews.models import ChecklistAttestation, ChecklistItem, Review, ReviewApproval, ReviewTransition
from reviews.schedules import parse_due, pending_publication, schedule_publication
from reviews.schedules import when as schedule_when


class ReviewRefused(ValidationError):
    """The transition is not possible now; the messages say why. Nothing was changed."""


LABELS = {
    "submit": "Submit for review",
    "start_review": "Start review",
    "request_changes": "Request changes",
    "approve": "Approve",
    "withdraw": "Withdraw",
}


def content_fingerprint(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def required_approvals() -> int:
    return max(1, settings.ORACLE_REQUIRED_APPROVALS)


def _who(user) -> str:
    if user is not None and not user.is_authenticated:
        return "An anonymous visitor"
    return display_name(user, default="the importer")


def _set_article_status(article_id, status, *, locked_by=None, reason=""):
    article = Article.objects.get(pk=article_id)
    article.review_status = status
    article.locked_by = locked_by
    article.lock_reason = reason
    article.save(update_fields=["review_status", "locked_by", "lock_reason", "updated_at"])
    answer_pages_changed(article.slug, lists=False)  # the answer's pages show the review state; the lists do not


def _log(review, name, source, *, by, comment="", approval=None):
    return ReviewTransition.objects.create(
        review=review,
        approval=approval,
        article_id=review.article_id,
        name=name,
        source=source,
        target=review.state,
        by=by,
        comment=comment,
    )


def _check_permission(review, name, by):
    """PermissionDenied if `by` may never take this transition; TransitionNotAllowed if not now."""
    method = getattr(review, name)
    # has_transition_perm() is also False in a wrong state, so ask each of the transition's
    # definitions whether `by` holds its permission: a forbidden user always gets 403, and an
    # allowed one in the wrong state gets a clear error.
    definitions = method._django_fsm.transitions.values()
    if not any(t.has_perm(review, by) for t in definitions):
        raise PermissionDenied(f"{_who(by)} may not {LABELS.get(name, name).lower()} this review.")
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotAllowed(
            f"Cannot {LABELS.get(name, name).lower()}: this review is {review.get_state_display().lower()}."
        )
    if not has_transition_perm(method, by):
        raise PermissionDenied(f"{_who(by)} may not {LABELS.get(name, name).lower()} this review.")


def _locked_review(review: Review) -> Review:
    """The review re-read under a row lock: concurrent transitions on it run one after another."""
    return Review.objects.select_for_update().select_related("article").get(pk=review.pk)


# --- submit ---------------------------------------------------------------------------------


def review_submit(*, article: Article, by, change_summary: str = "") -> Review:
    """Open a review cycle pinning the article's current content; lock the article; tell the board."""
    probe = Review(article=article)
    if not has_transition_perm(probe.submit, by):
        raise PermissionDenied(f"{_who(by)} may not submit articles for review.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        loaded = load_article(article.pk)
        reasons = loaded.submission_problems()
        open_cycle = Review.objects.open().filter(article=article).first()
        scheduled = pending_publication(article.pk)
        if scheduled:
            reasons.append(
                f"Its approved version is scheduled to be published on {schedule_when(scheduled.due_at)}: "
                "the board cancels that schedule first, or submit after it is published."
            )
        if open_cycle:
            reasons.insert(
                0,
                f"It is already in review ({open_cycle.get_state_display().lower()}, submitted by {_who(open_cycle.submitted_by)}).",
            )
        if reasons:
            raise ReviewRefused(["This article cannot be submitted for review:"] + reasons)
        content = snapshot_article(loaded)
        # Pin a revision that is exactly this content, whatever saved it last.
        with reversion.create_revision():
            reversion.add_to_revision(article)
            reversion.set_user(by)
            reversion.set_comment(f"Submitted for review{': ' + change_summary if change_summary else ''}")
        revision = Version.objects.get_for_object(article).select_related("revision").first().revision
        review = Review(
            article=article,
            revision=revision,
            content=content,
            content_hash=content_fingerprint(content),
            change_summary=change_summary,
        )
        review.submit(by=by)
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            raise ReviewRefused("This article cannot be submitted for review: it is already in review.") from None
        _log(review, "submit", ReviewStatus.NEW, by=by, comment=change_summary)
        stages.stages_open_cycle(review=review)  # the workflow's stages, copied; the first opens
        _set_article_status(
            article.pk,
            review.state,
            locked_by=by,
            reason=f"submitted for review by {_who(by)} on {date_format(timezone.localtime(review.submitted_at), 'DATE_FORMAT')}; "
            "it can be edited again when the review ends or is withdrawn.",
        )
        notifications.notify_submitted(review_id=review.pk)
    return review


# --- the board's transitions ----------------------------------------------------------------


def _take(review: Review, name: str, *, by, comment: str, apply, lock_reason=None) -> Review:
    """One simple transition, in one transaction: lock the review row, check the permission, apply
    the django-fsm transition, save, append to the audit trail, mirror the state onto the article
    (locked with `lock_reason(review)` when given, else unlocked). Must run inside an atomic block."""
    review = _locked_review(review)
    _check_permission(review, name, by)
    source = review.state
    apply(review)
    review.save()
    _log(review, name, source, by=by, comment=comment)
    if lock_reason is None:
        _set_article_status(review.article_id, review.state)
    else:
        _set_article_status(review.article_id, review.state, locked_by=by, reason=lock_reason(review))
    return review


def review_start(*, review: Review, by, comment: str = "") -> Review:
    """A board member takes the submitted cycle under review."""
    with transaction.atomic():
        return _take(
            review,
            "start_review",
            by=by,
            comment=comment,
            apply=lambda r: r.start_review(by=by),
            lock_reason=lambda r: (
                f"under review by {_who(by)} since {date_format(timezone.localtime(r.started_at), 'DATE_FORMAT')}."
            ),
        )


def review_request_changes(*, review: Review, by, comment: str) -> Review:
    """Close the cycle asking for changes (comment required); unlock the article; tell the editor."""
    if not (comment or "").strip():
        raise ReviewRefused("Say what needs to change: a comment is required to request changes.")
    with transaction.atomic():
        review = _take(review, "request_changes", by=by, comment=comment.strip(), apply=Review.request_changes)
        notifications.notify_changes_requested(review_id=review.pk)
    return review


def _authors_since_last_approval(review: Review) -> set[int]:
    """Users whose work is part of the content under review: who saved a revision of the article
    that is in it, who submitted it, and who edited a reference it cites (readers see its title,
    authors and address as that edit left them), since the last publication."""
    from references.models import Reference

    last_published = (
        Publication.objects.filter(article_id=review.article_id, revision__isnull=False)
        .exclude(pk=review.publication_id)
        .order_by("-number")
        .values_list("revision__date_created", flat=True)
        .first()
    )
    versions = Version.objects.get_for_object_reference(Article, review.article_id).filter(
        revision__date_created__lte=review.revision.date_created
    )
    cited = Reference.objects.filter(key__in=list(review.content.get("references", {})))
    # Up to now, not to the submission: references are not locked with the article.
    reference_versions = Version.objects.get_for_model(Reference).filter(
        object_id__in=[str(pk) for pk in cited.values_list("pk", flat=True)]
    )
    if last_published:
        versions = versions.filter(revision__date_created__gt=last_published)
        reference_versions = reference_versions.filter(revision__date_created__gt=last_published)
    authors = set(versions.exclude(revision__user__isnull=True).values_list("revision__user_id", flat=True))
    authors |= set(reference_versions.exclude(revision__user__isnull=True).values_list("revision__user_id", flat=True))
    if review.submitted_by_id:
        authors.add(review.submitted_by_id)
    return authors


def checklist_for(review: Review) -> list[ChecklistItem]:
    """The items an approver of this cycle ticks: site-wide and the article's topic's, in order."""
    return list(ChecklistItem.objects.offered_for(review.article))


def _ticked_ids(ticked) -> set[int]:
    ids = set()
    for value in ticked or ():
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            raise ReviewRefused(f"“{value}” is not a checklist item.") from None
    return ids


def review_approve(
    *,
    review: Review,
    by,
    comment: str = "",
    ticked=(),
    declaration=disclosures.NOT_ASKED,
    conflict_statement: str = "",
    publish_on=None,
    change_class=change_notes.NOT_ASKED,
    change_note: str = "",
    literature_confirmed=None,
) -> Review:
    """Record one approval; when the quorum is reached, publish exactly the reviewed content.

    `ticked`: the ids of the checklist items the approver ticks. Every required item offered
    (`checklist_for`) must be among them; every item offered is stored with the approval, ticked or
    not, with its text as it stands now.

    `declaration`: the approver's conflicts of interest, `disclosures.NO_CONFLICT` or
    `disclosures.CONFLICT` (with `conflict_statement`); the review page always sends it, and
    anything else is refused. Programs that approve without asking a person leave it
    `NOT_ASKED` (see `reviews/disclosures.py`). The overlaps the approver was shown are stored with
    it; an approval with a stated conflict does not complete the cycle on its own.

    `publish_on`: the minute the completing approval publishes at (`reviews/schedules.py`);
    empty publishes now.

    `change_class`, `change_note`, `literature_confirmed`: the class of change, the note readers see
    and the "literature reviewed through" date the approver confirmed (`articles/change_notes.py`);
    the review page always sends them and refuses a missing one; the values of the approval that
    completes the last required stage are the publication's. Programs leave `change_class`
    `NOT_ASKED`: the publication has no class and no note."""
    ticked_ids = _ticked_ids(ticked)
    conflict_statement = (conflict_statement or "").strip()
    publish_at, schedule_problems = parse_due(publish_on)
    with transaction.atomic():
        review = _locked_review(review)
        _check_permission(review, "approve", by)
        items = checklist_for(review)
        reasons = []
        unticked = [item.text for item in items if item.is_required and item.pk not in ticked_ids]
        if unticked:
            reasons.append(
                "Tick every required checklist item before approving; not ticked: "
                + "; ".join(f"“{text}”" for text in unticked)
                + "."
            )
        if by.pk in _authors_since_last_approval(review):
            reasons.append(
                "You edited or submitted this version of the article or a reference it cites, and no one approves their own work: "
                "another board member must approve it."
            )
        if review.approvals.filter(by=by).exists():
            reasons.append("You have already approved this version; it needs another board member's approval.")
        stage, not_a_signer = stages.stage_to_sign(review, by)
        if stage is None:
            reasons.append(not_a_signer)
        current = snapshot_article(load_article(review.article_id))
        if content_fingerprint(current) != review.content_hash:
            reasons.append(
                "The article (or a reference it cites) has changed since it was submitted, so this is not the "
                "version that was reviewed. Withdraw the cycle and submit the current version."
            )
        reasons += disclosures.declaration_problems(declaration, conflict_statement)
        reasons += schedule_problems
        reasons += change_notes.change_problems(
            change_class=change_class,
            change_note=change_note,
            literature_confirmed=literature_confirmed,
            content=review.content,
        )
        from reviews.comments import approval_blockers

        reasons += approval_blockers(review)
        if reasons:
            raise ReviewRefused(reasons)
        declared = declaration is not disclosures.NOT_ASKED
        approval = ReviewApproval.objects.create(
            review=review,
            by=by,
            comment=comment,
            stage=stage,
            declaration=declaration if declared else "",
            conflict_statement=conflict_statement if declaration == disclosures.CONFLICT else "",
            overlaps=disclosures.overlaps_for(by, review.content) if declared else [],
            change_class=change_class or "",
            change_note=(change_note or "").strip() if change_class is not change_notes.NOT_ASKED else "",
        )
        ChecklistAttestation.objects.bulk_create(
            ChecklistAttestation(
                approval=approval, item=item, text=item.text, required=item.is_required, ticked=item.pk in ticked_ids
            )
            for item in items
        )
        outcome = stages.stages_record_approval(review=review, stage=stage)
        if publish_at and not outcome["publish"]:
            raise ReviewRefused(
                "Only the approval that completes the review schedules its publication: "
                + (outcome["held"] or "this one does not complete every required stage.")
                + " Leave “Publish on” empty."
            )
        source = review.state
        review.approve(last_required_stage_completed=outcome["publish"])
        scheduled = None
        if review.state == ReviewStatus.APPROVED and publish_at:
            scheduled = schedule_publication(review=review, by=by, due_at=publish_at)
        elif review.state == ReviewStatus.APPROVED:
            review.publication = article_publish(
                article=review.article,
                origin=Publication.Origin.APPROVAL,
                by=by,
                revision=review.revision,
                content=review.content,
                change_summary=review.change_summary,
                change_class=approval.change_class,
                change_note=approval.change_note,
                reviewed_by=signatures_of(review),
            )
        review.save()
        if review.publication_id:
            from reviews.source_events import alerts_resolve_by_approval

            alerts_resolve_by_approval(article_id=review.article_id, publication=review.publication, by=by)
        _log(
            review,
            "approve",
            source,
            by=by,
            comment=_approval_note(review, comment, outcome, scheduled),
            approval=approval,
        )
        if review.state == ReviewStatus.APPROVED:
            _set_article_status(review.article_id, review.state)
            if scheduled is None:
                notifications.notify_approved(review_id=review.pk)
    return review


def _approval_note(review, comment, outcome, scheduled) -> str:
    if scheduled is not None:
        return f"{comment}\n(scheduled to be published on {schedule_when(scheduled.due_at)})".strip()
    return f"{comment}\n{stages.approval_note(outcome, stages_count=review.stages.count())}".strip()


def _signature(user, approval=None) -> dict:
    """How readers see an approver named: their board profile (with credentials), else their name;
    with what they declared about conflicts of interest when they were asked (frozen)."""
    # The approvers come with their profiles (select_related): no query per approver here.
    member = getattr(user, "board_member", None)
    if member is not None:
        signature = {"name": member.display_name, "credentials": member.credentials}
    else:
        signature = {"name": display_name(user), "credentials": ""}
    if approval is not None:
        signature.update(disclosures.declared_for_readers(approval))
    return signature


def signatures_of(review: Review) -> list[dict]:
    """The `reviewed_by` of the cycle's publication: each approver, in the order they approved."""
    return [_signature(a.by, a) for a in review.approvals.select_related("by__board_member").order_by("at", "id")]


def review_withdraw(*, review: Review, by, comment: str = "") -> Review:
    """The submitting editor (or an admin) takes the cycle back; the article is editable again."""
    with transaction.atomic():
        return _take(review, "withdraw", by=by, comment=comment, apply=Review.withdraw)


# In the order their buttons appear. `options`: what the decision panel sent beside the comment
# (`reviews.admin.workspace.decision_options`); each transition reads only the options it knows.
TRANSITIONS = {
    "start_review": lambda review, by, comment, **options: review_start(review=review, by=by, comment=comment),
    "request_changes": lambda review, by, comment, **options: review_request_changes(
        review=review, by=by, comment=comment
    ),
    "approve": lambda review, by, comment, **options: review_approve(
        review=review,
        by=by,
        comment=comment,
        ticked=options.get("ticked", ()),
        declaration=options.get("declaration", disclosures.NOT_ASKED),
        conflict_statement=options.get("conflict_statement", ""),
        publish_on=options.get("publish_on"),
        change_class=options.get("change_class", change_notes.NOT_ASKED),
        change_note=options.get("change_note", ""),
        literature_confirmed=options.get("literature_confirmed"),
    ),
    "withdraw": lambda review, by, comment, **options: review_withdraw(review=review, by=by, comment=comment),
}


def available_transitions(*, article: Article, user) -> tuple[Review | None, list[str]]:
    """The article's open cycle, and the transitions `user` may take on it now (or "submit")."""
    review = Review.objects.open().filter(article=article).select_related("submitted_by", "reviewer").first()
    if review is None:
        probe = Review(article=article)
        return None, (["submit"] if has_transition_perm(probe.submit, user) else [])
    allowed = {t.name for t in review.get_available_user_state_transitions(user)}
    return review, [name for name in TRANSITIONS if name in allowed]
