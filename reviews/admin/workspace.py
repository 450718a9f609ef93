"""The review page: one page per cycle where a board member reads what changed (word by word, and
as readers will see it, per audience) beside the decision panel (comment, checklist, "Request
changes", "Approve"). Every decision goes through `reviews.services`, which checks everything
again; a refused decision re-renders the page with the comment and ticks kept."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from reversion.models import Revision

from articles.admin.checks import checks_panel_context
from articles.audiences import Audience
from articles.history import content_at, diff_content
from core import people
from reviews import stages as review_stages
from reviews.models import Review, ReviewStage
from reviews.schedules import pending_publication
from reviews.schedules import when as schedule_when
from reviews.services import LABELS, TRANSITIONS, ReviewRefused, checklist_for

# the decisions this page takes (withdrawing is the editor's, on the article's page)
DECISIONS = ("start_review", "request_changes", "approve")


def decision_options(post) -> dict:
    """What the decision panel sends beside the transition and the comment, as the services take it
    (`reviews.services.TRANSITIONS`); a refused decision re-renders the panel with these kept."""
    return {
        "ticked": post.getlist("checklist"),
        # conflicts of interest: always sent by this page ("" when not chosen: refused)
        "declaration": post.get("declaration", ""),
        "conflict_statement": post.get("conflict_statement", ""),
        "publish_on": post.get("publish_on", ""),
        # what changed, for readers: always sent by this page ("" when not chosen: refused)
        "change_class": post.get("change_class", ""),
        "change_note": post.get("change_note", ""),
        "literature_confirmed": post.get("literature_confirmed", ""),
    }


def workspace_change_note_context(review, options) -> dict:
    """The decision panel's "What changed, for readers" slot: the class, the note (the editor's
    change summary proposed until the approver writes one) and the literature date to confirm."""
    from articles.change_notes import CLASS_HELP, ChangeClass, literature_of

    through = literature_of(review.content)
    note = options.get("change_note")
    return {
        "classes": [(value, label, CLASS_HELP[value]) for value, label in ChangeClass.choices],
        "chosen": options.get("change_class", ""),
        "note": review.change_summary if note is None else note,
        "literature_through": through,
        "future": bool(through and through > timezone.localdate()),
        "confirmed": bool(through and options.get("literature_confirmed") == through.isoformat()),
    }


def workspace_disclosures_context(request, review, options) -> dict:
    """The decision panel's conflicts of interest and "Publish on" (their slots), and the cycle's
    schedules: the approver's overlaps, the reviewer's (shown when the cycle is assigned)."""
    from reviews.disclosures import CONFLICT, NO_CONFLICT, overlaps_for
    from reviews.models import Schedule

    reviewer_overlaps = []
    if review.reviewer_id and review.reviewer_id != request.user.pk:
        reviewer_overlaps = overlaps_for(review.reviewer, review.content)
    return {
        "my_overlaps": overlaps_for(request.user, review.content),
        "reviewer_overlaps": reviewer_overlaps,
        "declaration": options.get("declaration", ""),
        "conflict_statement": options.get("conflict_statement", ""),
        "publish_on": options.get("publish_on", ""),
        "NO_CONFLICT": NO_CONFLICT,
        "CONFLICT": CONFLICT,
        "schedules": list(
            Schedule.objects.filter(article_id=review.article_id)
            .filter(models.Q(review=review) | models.Q(kind=Schedule.Kind.WITHDRAW, state=Schedule.State.PENDING))
            .select_related(*people.related("created_by"))
        ),
        "schedules_url": reverse("admin:reviews_schedule_changelist") + f"?article__id__exact={review.article_id}",
        "can_cancel_schedules": request.user.has_perm("reviews.cancel_schedule"),
        "site_time_zone": settings.TIME_ZONE,
    }


def _number(value) -> int:
    return int(value) if (value or "").isdigit() else 0


class ReviewWorkspaceMixin:
    """For the review admin: the review page (GET) and its decisions (POST)."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/workspace/", self.admin_site.admin_view(self.workspace_view), name="reviews_review_workspace"
            ),
            path(
                "<int:pk>/assign/",
                self.admin_site.admin_view(require_POST(self.assign_view)),
                name="reviews_review_assign",
            ),
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="reviews_review_decide",
            ),
        ] + super().get_urls()

    def _review_or_404(self, request, pk) -> Review:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            Review.objects.select_related(
                "article__topic", *people.related("submitted_by"), *people.related("reviewer")
            ),
            pk=pk,
        )

    def workspace_view(self, request, pk):
        return self._render_workspace(request, self._review_or_404(request, pk))

    def _render_workspace(self, request, review, *, comment="", ticked=(), status=200, options=None):
        base_id = review.base_revision_id()
        revisions = {
            r.pk: r
            for r in Revision.objects.filter(pk__in=[review.revision_id, base_id]).select_related(
                *people.related("user")
            )
        }
        base = revisions.get(base_id)
        diff = diff_content(
            content_at(base, review.article_id),
            content_at(revisions[review.revision_id], review.article_id),
            old_date=base.date_created if base else None,
            new_date=revisions[review.revision_id].date_created,
        )
        allowed = {t.name for t in review.get_available_user_state_transitions(request.user)}
        decisions = [{"name": n, "label": LABELS[n]} for n in DECISIONS if n in allowed]
        ticked = {str(t) for t in ticked}
        approvals = list(
            review.approvals.select_related(*people.related("by")).prefetch_related("attestations").order_by("at", "id")
        )
        preview = reverse("admin:reviews_review_preview", args=[review.pk])
        cycle_stages = review_stages.cycle_stages(review)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review: {review.article}",
            "review": review,
            "base_revision": base,
            "diff": diff,
            "decisions": decisions,
            "can_approve": "approve" in allowed,
            "checklist": [{"item": item, "ticked": str(item.pk) in ticked} for item in checklist_for(review)],
            "comment": comment,
            "approvals": approvals,
            # what publication needs in all: the quorums of the required stages
            "required_approvals": sum(s.required_quorum for s in cycle_stages if s.required)
            or max(1, settings.ORACLE_REQUIRED_APPROVALS),
            "stages": self._stages_context(request, review, cycle_stages, approvals),
            "assign_url": reverse("admin:reviews_review_assign", args=[review.pk]),
            "audiences": [("", "Every reader (as first shown)")] + [(a.value, a.label) for a in Audience],
            "preview_url": preview,
            "decide_url": reverse("admin:reviews_review_decide", args=[review.pk]),
            "article_url": reverse("admin:articles_article_change", args=[review.article_id]),
            "resubmission_diff_url": review.changes_since_previous_submission_url(),
            **workspace_disclosures_context(request, review, options or {}),
            "change": workspace_change_note_context(review, options or {}),
            # the content checks on the pinned content (the same checks the editor saw)
            "checks_panel": checks_panel_context(review.content),
        }
        return TemplateResponse(request, "admin/reviews/review/workspace.html", context, status=status)

    def _stages_context(self, request, review, cycle_stages, approvals) -> list[dict]:
        """Each stage of the cycle as the slot shows it, with what this user may do about its assignee."""
        user = request.user
        first = cycle_stages[0].pk if cycle_stages else None
        mine = review_stages.group_ids(user)
        assigns_anyone = user.has_perm("reviews.assign_review")
        assignee_overlaps = self._assignee_overlaps(review, cycle_stages)
        rows = []
        for stage in cycle_stages:
            is_open = review.is_open and stage.state == ReviewStage.State.OPEN
            rows.append(
                {
                    "stage": stage,
                    "is_open": is_open,
                    "overdue": bool(is_open and stage.due_at and stage.due_at < timezone.now()),
                    "approvals": [
                        a for a in approvals if a.stage_id == stage.pk or (a.stage_id is None and stage.pk == first)
                    ],
                    # "Assign to me": a member of the stage's group who does not have it yet
                    "may_take": is_open and stage.assignee_id != user.pk and stage.group_id in mine,
                    "members": list(review_stages.group_members(stage)) if is_open and assigns_anyone else [],
                    # the assignee's current disclosures that the answer names (shown when assigned)
                    "assignee_overlaps": assignee_overlaps.get(stage.assignee_id, []) if is_open else [],
                }
            )
        return rows

    @staticmethod
    def _assignee_overlaps(review, cycle_stages) -> dict[int, list[str]]:
        """For each open stage's assignee, what of their current disclosures this answer names (one
        query for all of them)."""
        from reviews.disclosures import overlap_text, overlaps_by_user

        ids = {s.assignee_id for s in cycle_stages if s.assignee_id and s.state == ReviewStage.State.OPEN}
        if not (ids and review.is_open):
            return {}
        found = overlaps_by_user(ids, review.content)
        return {user_id: [overlap_text(o) for o in items] for user_id, items in found.items()}

    def assign_view(self, request, pk):
        """Assign an open stage (POST: stage, assignee). PermissionDenied propagates: 403."""
        review = self._review_or_404(request, pk)
        if not (request.user.has_perm("reviews.assign_review") or request.user.has_perm("reviews.approve_review")):
            raise PermissionDenied  # only reviewers take or assign stages
        back = redirect("admin:reviews_review_workspace", review.pk)
        stage = ReviewStage.objects.filter(review=review, pk=_number(request.POST.get("stage"))).first()
        if stage is None:
            messages.error(request, "Choose a stage of this review to assign.")
            return back
        assignee = get_user_model().objects.filter(pk=_number(request.POST.get("assignee"))).first()
        if assignee is None:
            messages.error(request, "Choose who to assign the stage to.")
            return back
        try:
            review_stages.stage_assign(stage=stage, assignee=assignee, by=request.user)
        except ReviewRefused as exc:
            for message in exc.messages:
                messages.error(request, message)
            return back
        messages.success(request, f"“{stage.name}” is assigned to {people.display_name(assignee)}.")
        return back

    def decide_view(self, request, pk):
        """Start, request changes or approve. PermissionDenied propagates: a forged POST gets 403."""
        review = self._review_or_404(request, pk)
        name = request.POST.get("transition", "")
        comment = request.POST.get("comment", "").strip()
        options = decision_options(request.POST)
        ticked = options["ticked"]
        back = redirect("admin:reviews_review_workspace", review.pk)
        if name not in DECISIONS:
            messages.error(request, f"Unknown review action “{name}”.")
            return back
        if request.POST.get("state") != review.state:
            messages.error(request, "This review changed while you were looking at it; here is its current state.")
            return self._render_workspace(request, review, comment=comment, ticked=ticked, status=409, options=options)
        try:
            TRANSITIONS[name](review, request.user, comment, **options)
        except (ReviewRefused, TransitionNotAllowed) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
            review.refresh_from_db()
            return self._render_workspace(request, review, comment=comment, ticked=ticked, status=400, options=options)
        except ConcurrentTransition:
            messages.error(request, "Someone else acted on this review at the same moment; here is its current state.")
            review.refresh_from_db()
            return self._render_workspace(request, review, comment=comment, ticked=ticked, status=409, options=options)
        review = Review.objects.select_related("publication").get(pk=review.pk)
        if name == "start_review":
            messages.success(request, "Review started: read what changed, then decide in the panel beside it.")
        elif name == "request_changes":
            messages.success(request, "Changes requested: the article is unlocked and the editor has been notified.")
        elif review.publication_id:
            messages.success(request, f"Approved and published as version {review.publication.number}.")
        elif (scheduled := pending_publication(review.article_id)) and scheduled.review_id == review.pk:
            messages.success(request, f"Approved: it will be published on {schedule_when(scheduled.due_at)}.")
        elif held := review_stages.held_by_conflict(review):
            messages.warning(request, f"Approval recorded. {held}")
        else:
            cycle_stages = review_stages.cycle_stages(review)
            now_open = review_stages.open_stages(cycle_stages)
            if len(cycle_stages) == 1:
                count, quorum = review_stages.stage_approvals(cycle_stages[0]), cycle_stages[0].required_quorum
                messages.success(request, f"Approval recorded ({count} of {quorum} required).")
            else:
                messages.success(
                    request,
                    "Approval recorded. The answer is published when every required stage is complete; open now: "
                    + ", ".join(f"{s.name} ({people.display_name(s.assignee, default='unassigned')})" for s in now_open)
                    + ".",
                )
        return back
