"""The review workflow's records: a review cycle of one article (a django-fsm-2 state machine), its
append-only audit trail and the board's approvals."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from articles.models import ReviewStatus
from articles.models.content import OPEN_REVIEW_STATES
from core.fields import optional_link, person_link
from core.people import display_name
from core.records import AppendOnlyModel


class ReviewQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_REVIEW_STATES)

    def awaiting_review(self):
        return self.filter(state=Review.State.SUBMITTED)

    def under_review_by(self, user):
        return self.filter(state=Review.State.UNDER_REVIEW, reviewer=user)

    def changes_requested(self):
        return self.filter(state=Review.State.CHANGES_REQUESTED)


def _may_withdraw(review, user) -> bool:
    """The editor who submitted the cycle, or an administrator."""
    return bool(
        user.is_active and (user.is_superuser or (review.submitted_by_id and user.pk == review.submitted_by_id))
    )


class Review(ConcurrentTransitionMixin, models.Model):
    """One review cycle of one article. `state` changes only through transitions (see services)."""

    State = ReviewStatus

    class Origin(models.TextChoices):
        BOARD = "board", _("Reviewed by the Medical Advisory Board")
        IMPORT = "import", _("Reviewed on the previous site (imported)")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="reviews"
    )
    state = FSMField(_("state"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NEW, protected=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.BOARD, editable=False)
    revision = models.ForeignKey(
        "reversion.Revision",
        verbose_name=_("pinned revision"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The exact version of the article under review."),
    )
    content = models.JSONField(
        _("content under review"), help_text=_("The pinned revision's content, as readers would see it.")
    )
    content_hash = models.CharField(_("content fingerprint"), max_length=64)
    submitted_by = person_link(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewer = person_link(_("reviewer"))
    started_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    publication = optional_link("articles.Publication", _("publication"), related_name="review", one_to_one=True)
    change_summary = models.CharField(
        _("change summary"), max_length=500, blank=True, help_text=_("What changed since the last approved version.")
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("submit_review", _("Can submit an article for review")),
            ("start_review", _("Can start reviewing a submitted article")),
            ("request_changes_review", _("Can request changes to an article under review")),
            ("approve_review", _("Can approve an article under review")),
            ("assign_review", _("Can assign a review stage to any member of its group")),
        ]
        constraints = [
            # At most one open cycle per article, whatever races the application loses.
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(state__in=[s.value for s in OPEN_REVIEW_STATES]),
                name="review_one_open_cycle_per_article",
            ),
        ]

    def __str__(self):
        return f"{self.article} — {self.get_state_display()} ({self.submitted_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REVIEW_STATES

    def base_revision_id(self) -> int | None:
        """The revision readers saw before this cycle (None for a first review)."""
        from articles.models import Publication

        return (
            Publication.objects.filter(
                article_id=self.article_id, revision__isnull=False, published_at__lte=self.submitted_at
            )
            .exclude(pk=self.publication_id)
            .order_by("-number")
            .values_list("revision_id", flat=True)
            .first()
        )

    def changes_url(self) -> str:
        """The admin diff from the last version readers saw before this cycle to the pinned one
        (the whole text for a first review)."""
        base = self.base_revision_id()
        url = reverse("admin:articles_article_diff", args=[self.article_id]) + f"?to={self.revision_id}"
        return url + (f"&from={base}" if base else "")

    def workspace_url(self) -> str:
        """The review page: what changed, as readers will see it, beside the decision."""
        return reverse("admin:reviews_review_workspace", args=[self.pk])

    def changes_since_previous_submission_url(self) -> str:
        """The diff from the version submitted in the previous cycle (e.g. the one sent back for
        changes) to this one, when that cycle came after the last publication; else ""."""
        previous = (
            Review.objects.filter(
                article_id=self.article_id, origin=self.Origin.BOARD, submitted_at__lt=self.submitted_at
            )
            .exclude(pk=self.pk)
            .order_by("-submitted_at")
            .first()
        )
        if previous is None or previous.state == ReviewStatus.APPROVED:
            return ""
        return (
            reverse("admin:articles_article_diff", args=[self.article_id])
            + f"?from={previous.revision_id}&to={self.revision_id}"
        )

    # --- transitions: they change only this review's own fields --------------------------

    @transition(field=state, source=ReviewStatus.NEW, target=ReviewStatus.SUBMITTED, permission="reviews.submit_review")
    def submit(self, *, by):
        self.submitted_by = by
        self.submitted_at = timezone.now()

    @transition(
        field=state, source=ReviewStatus.SUBMITTED, target=ReviewStatus.UNDER_REVIEW, permission="reviews.start_review"
    )
    def start_review(self, *, by):
        self.reviewer = by
        self.started_at = timezone.now()

    @transition(
        field=state,
        source=ReviewStatus.UNDER_REVIEW,
        target=ReviewStatus.CHANGES_REQUESTED,
        permission="reviews.request_changes_review",
    )
    def request_changes(self):
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=ReviewStatus.UNDER_REVIEW,
        target=RETURN_VALUE(ReviewStatus.UNDER_REVIEW, ReviewStatus.APPROVED),
        permission="reviews.approve_review",
    )
    def approve(self, *, last_required_stage_completed: bool):
        """One member's approval of the open stage (`reviews.stages` counts the stage's quorum); the
        cycle is approved once its last required stage has completed, and stays under review until then."""
        if last_required_stage_completed:
            self.closed_at = timezone.now()
            return ReviewStatus.APPROVED
        return ReviewStatus.UNDER_REVIEW

    @transition(
        field=state,
        source=[ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW],
        target=ReviewStatus.WITHDRAWN,
        permission=_may_withdraw,
    )
    def withdraw(self):
        self.closed_at = timezone.now()

    @transition(
        field=state, source=ReviewStatus.NEW, target=ReviewStatus.APPROVED, permission=lambda review, user: False
    )
    def record_import(self):
        """Content reviewed on the previous site; only the importer takes this (no user may)."""
        self.origin = self.Origin.IMPORT
        self.closed_at = timezone.now()


class ReviewTransition(AppendOnlyModel):
    """The audit trail: one row per workflow transition, who took it, when, and why."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.PROTECT, related_name="transitions")
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.PROTECT, related_name="review_transitions"
    )
    name = models.CharField(_("transition"), max_length=30)
    source = models.CharField(_("from"), max_length=20, choices=ReviewStatus.choices)
    target = models.CharField(_("to"), max_length=20, choices=ReviewStatus.choices)
    by = person_link(_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    # an approval's row names the approval, whose checklist attestation the history shows
    approval = optional_link("reviews.ReviewApproval", _("approval"))

    class Meta:
        verbose_name = _("review transition")
        verbose_name_plural = _("audit trail")
        ordering = ["at", "id"]

    def __str__(self):
        who = display_name(self.by, default="system")
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.name} ({self.source} → {self.target})"


class ReviewApproval(AppendOnlyModel):
    """One board member's approval of a cycle; a quorum of these approves it."""

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.PROTECT, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    # the approver's conflict-of-interest declaration (reviews/disclosures.py); "" for approvals
    # made before declarations existed, or by a program that was not asked (NOT_ASKED)
    declaration = models.CharField(
        _("declaration"),
        max_length=10,
        blank=True,
        choices=[("none", _("No relevant conflict")), ("conflict", _("A relevant conflict, stated"))],
    )
    conflict_statement = models.TextField(_("conflict stated"), blank=True)
    # the overlaps the approver was shown, frozen: [{"disclosure": {...}, "term": "...", "where": [...]}]
    overlaps = models.JSONField(_("overlaps shown"), default=list, blank=True)
    # what the approver told readers (articles/change_notes.py); the completing approval's are the publication's
    change_class = models.CharField(_("class of change"), max_length=20, blank=True)
    change_note = models.TextField(_("note for readers"), blank=True)
    # the stage this approval signs; empty on approvals recorded before stages (they signed the first)
    stage = optional_link("reviews.ReviewStage", _("stage"), related_name="approvals")

    class Meta:
        verbose_name = _("approval")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "by"], name="approval_once_per_member")]

    def __str__(self):
        return f"{display_name(self.by)} approved at {self.at:%Y-%m-%d %H:%M}"
