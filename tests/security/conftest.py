"""A small site in every state the authorization tests need, with unique marker strings planted in
everything readers must never see (drafts, pending updates, review comments, readers' questions)."""

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import reversion
from django.contrib.auth import get_user_model
from reversion.models import Version

from articles.follow_ups import follow_up_create
from articles.models import Article, Claim, FollowUpQuestion, SitePage, Topic
from articles.publishing import article_withdraw_from_public
from references.citations import MARKER_RE
from references.models import Reference
from reviews.services import review_approve, review_request_changes, review_start, review_submit
from tests.factories import ReferenceFactory, UserFactory, make_article

# Each marker is written into one kind of text no reader may see while ORACLE_SHOW_PENDING is off.
# They are case-insensitive-unique, alphanumeric (nothing escapes or splits them), and sit at the
# start of their field, so no truncation (descriptions, snippets) can cut them off.
MARKERS = {
    "pending_update_summary": "ZQXPENDINGSUMMARY",
    "pending_update_claim": "ZQXPENDINGCLAIM",
    "pending_update_question": "ZQXPENDINGQUESTION",
    "pending_change_summary": "ZQXPENDINGCHANGENOTE",
    "unsubmitted_edit": "ZQXUNSUBMITTEDEDIT",
    "unsubmitted_claim": "ZQXUNSUBMITTEDCLAIM",
    "draft_question": "ZQXDRAFTQUESTION",
    "draft_summary": "ZQXDRAFTSUMMARY",
    "submitted_summary": "ZQXSUBMITTEDSUMMARY",
    "submitted_question": "ZQXSUBMITTEDQUESTION",
    "withdrawn_then_edited": "ZQXAFTERWITHDRAWAL",
    "review_comment": "ZQXREVIEWCOMMENT",
    "changes_requested_text": "ZQXCHANGESREQUESTED",
    "follow_up_text": "ZQXFOLLOWUPQUESTION",
    "follow_up_email": "zqxreaderemail",
}


def find_markers(text: str) -> list[str]:
    folded = text.casefold()
    return [name for name, marker in MARKERS.items() if marker.casefold() in folded]


@dataclass
class World:
    editor: object
    board: object
    board2: object
    admin: object
    published: Article  # published v1, an update with markers under review
    unsubmitted: Article  # published v1, a saved but unsubmitted edit with markers
    draft: Article  # never submitted
    submitted: Article  # never published, submitted (first review open)
    withdrawn: Article  # published, withdrawn, then edited
    changes: Article  # published, then an update sent back with a comment
    topic: Topic
    follow_up: FollowUpQuestion
    reference_uncited: Reference
    reference_cited: Reference
    site_page: SitePage
    deleted_reference_version: Version
    deleted_article_version: Version
    extra: dict = field(default_factory=dict)

    def users(self):
        return {"editor": self.editor, "board": self.board, "admin": self.admin}

    def first_revision(self, article):
        return Version.objects.get_for_object(article).order_by("revision_id").first().revision_id

    def last_revision(self, article):
        return Version.objects.get_for_object(article).order_by("-revision_id").first().revision_id


def edit(article, by, *, summary=None, question=None, claim=None, comment="edit"):
    """An editor's save in the admin: a new reversion revision of the article and its children."""
    with reversion.create_revision():
        article = Article.objects.get(pk=article.pk)
        if summary is not None:
            article.summary = summary
        if question is not None:
            article.question = question
        article.save()
        if claim is not None:
            first = Claim.objects.filter(section__article=article).order_by("section__position", "position").first()
            # keep the claim's citations: a claim that cites nothing cannot be submitted
            first.text = " ".join([claim, *MARKER_RE.findall(first.text)])
            first.save()
        reversion.add_to_revision(article)
        reversion.set_user(by)
        reversion.set_comment(comment)
    return Article.objects.get(pk=article.pk)


def publish(article, *, editor, board):
    review = review_submit(article=article, by=editor, change_summary="Ready for review")
    review = review_start(review=review, by=board)
    review_approve(review=review, by=board, comment="Checked against the sources")
    return Article.objects.get(pk=article.pk)


def _saved(obj, by):
    with reversion.create_revision():
        obj.save()
        reversion.set_user(by)
    return obj


def build_world() -> World:
    editor = UserFactory(username="editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
    from reviews.models import BoardMember

    BoardMember.objects.create(user=board, display_name="Dr. Bo Reviewer", credentials="MD", specialty="Medicine")
    board2 = UserFactory(username="board2", groups=["Medical Advisory Board"])
    admin = UserFactory(username="admin", is_superuser=True)
    topic = Topic.objects.create(name="Pain", slug="pain")

    def article(slug, question, **fields):
        a = make_article(slug=slug, question=question, topic=topic, **fields)
        with reversion.create_revision():
            a.save()
            reversion.add_to_revision(a)
            reversion.set_user(editor)
            reversion.set_comment("Created")
        return a

    m = MARKERS
    published = publish(article("is-aspirin-safe", "Is aspirin safe?"), editor=editor, board=board)
    published = edit(
        published,
        editor,
        summary=f"{m['pending_update_summary']} a new summary",
        question=f"{m['pending_update_question']} Is aspirin safe?",
        claim=f"{m['pending_update_claim']} a changed claim",
    )
    review = review_submit(article=published, by=editor, change_summary=f"{m['pending_change_summary']} update")
    review_start(review=review, by=board, comment=f"{m['review_comment']} starting")

    unsubmitted = publish(article("is-paracetamol-safe", "Is paracetamol safe?"), editor=editor, board=board)
    unsubmitted = edit(
        unsubmitted,
        editor,
        summary=f"{m['unsubmitted_edit']} an edit nobody reviewed",
        claim=f"{m['unsubmitted_claim']} claim",
    )

    draft = article("is-codeine-safe", f"{m['draft_question']} Is codeine safe?", summary=m["draft_summary"])

    submitted = article(
        "is-tramadol-safe", f"{m['submitted_question']} Is tramadol safe?", summary=m["submitted_summary"]
    )
    review_start(review=review_submit(article=submitted, by=editor), by=board)

    withdrawn = publish(article("is-baclofen-safe", "Is baclofen safe?"), editor=editor, board=board)
    article_withdraw_from_public(article=withdrawn, by=board, reason="Withdrawn while a safety signal is checked.")
    withdrawn = edit(withdrawn, editor, summary=f"{m['withdrawn_then_edited']} edited after withdrawal")

    changes = publish(article("is-naproxen-safe", "Is naproxen safe?"), editor=editor, board=board)
    changes = edit(changes, editor, summary=f"{m['changes_requested_text']} a rejected update")
    review = review_start(review=review_submit(article=changes, by=editor), by=board)
    review_request_changes(review=review, by=board, comment=f"{m['review_comment']} please fix")

    follow_up = follow_up_create(
        article=published,
        text=f"{m['follow_up_text']} does aspirin interact with warfarin?",
        email=f"{m['follow_up_email']}@example.org",
    )

    cited = Reference.objects.get(key__in=published.cited_keys()[:1])
    uncited = _saved(ReferenceFactory.build(key="uncited-ref", title="An uncited study"), editor)
    site_page = SitePage.get("editorial-policy")  # made by a migration; unsaved defaults otherwise
    site_page.body += "\n\nEdited in the admin."
    _saved(site_page, admin)

    gone_ref = _saved(ReferenceFactory.build(key="deleted-ref", title="A deleted study"), editor)
    with reversion.create_revision():
        gone_ref.delete()
    gone_article = article("is-deleted-safe", "Is a deleted draft safe?")
    with reversion.create_revision():
        gone_article.delete()
    deleted_reference_version = Version.objects.get_deleted(Reference).first()
    deleted_article_version = Version.objects.get_deleted(Article).first()

    return World(
        editor=editor,
        board=board,
        board2=board2,
        admin=admin,
        published=Article.objects.get(pk=published.pk),
        unsubmitted=Article.objects.get(pk=unsubmitted.pk),
        draft=Article.objects.get(pk=draft.pk),
        submitted=Article.objects.get(pk=submitted.pk),
        withdrawn=Article.objects.get(pk=withdrawn.pk),
        changes=Article.objects.get(pk=changes.pk),
        topic=topic,
        follow_up=follow_up,
        reference_uncited=uncited,
        reference_cited=cited,
        site_page=site_page,
        deleted_reference_version=deleted_reference_version,
        deleted_article_version=deleted_article_version,
    )


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks):
    settings.ORACLE_SHOW_PENDING = False
    with django_capture_on_commit_callbacks(execute=True):
        built = build_world()
    return built


def state_fingerprint() -> tuple:
    """Everything an action could change that matters: counts, workflow states, powers."""
    from articles.models import Publication, Section, Withdrawal
    from reviews.models import Review, ReviewApproval, ReviewTransition, SourceAlert, SourceEvent

    User = get_user_model()
    counts = tuple(
        model.objects.count()
        for model in (
            Article,
            Section,
            Claim,
            Publication,
            Withdrawal,
            FollowUpQuestion,
            Reference,
            Topic,
            SitePage,
            Review,
            ReviewApproval,
            ReviewTransition,
            Version,
            User,
            SourceEvent,
        )
    )
    articles = tuple(
        Article.objects.order_by("pk").values_list(
            "pk", "question", "summary", "review_status", "current_publication_id", "lock_reason"
        )
    )
    reviews = tuple(Review.objects.order_by("pk").values_list("pk", "state", "reviewer_id", "publication_id"))
    users = tuple(User.objects.order_by("pk").values_list("pk", "is_staff", "is_superuser", "password"))
    groups = tuple(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id"))
    follow_ups = tuple(FollowUpQuestion.objects.order_by("pk").values_list("pk", "status", "draft_id"))
    alerts = tuple(SourceAlert.objects.order_by("pk").values_list("pk", "resolved_at", "resolution"))
    return counts, articles, reviews, users, groups, follow_ups, alerts


__all__ = ["MARKERS", "SimpleNamespace", "World", "build_world", "find_markers", "state_fingerprint"]
