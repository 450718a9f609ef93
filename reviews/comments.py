"""Long because it is comments' one home (places, relocation, rules, services, blocking). Comments
on what they are about: where a thread is anchored and where it is now (the outline of a
content, relocating a thread, outdated detection), who may comment when, the service functions
(open, reply, resolve, reopen, each in one transaction with its trail entry and its @mention
emails), and the unresolved threads that block approval.

A place is kind + position: ("summary",), ("variant", audience), ("heading", section),
("claim", section, claim), ("reference", key), with the text it had in the cycle's pinned content.
Sections and claims are replaced on every save, so a thread is found again by position when the
text there is still the text it was written on, else by that exact text elsewhere (a claim that
merely moved), else it is "outdated" and shows the text it was written on."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from articles.audiences import Audience
from core import people
from core.text import clean_text
from reviews.models import Comment, CommentEvent, CommentThread, Review
from reviews.models.comments import COMMENT_MAX_LENGTH, Place
from reviews.roles import BOARD, EDITORS


class CommentRefused(ValidationError):
    """The comment or action is not possible; the messages say why. Nothing was saved."""


# The cycles in which people comment: open, or sent back to the editor (who replies while fixing).
COMMENTABLE_STATES = (Review.State.SUBMITTED, Review.State.UNDER_REVIEW, Review.State.CHANGES_REQUESTED)

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*\w)")


# --- places ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    kind: str
    section: int | None = None
    claim: int | None = None
    audience: str = ""
    key: str = ""

    @property
    def token(self) -> str:
        """The form value naming this place ("claim:1:2"), parsed back by `parse_anchor`."""
        parts = {
            Place.SUMMARY: [],
            Place.VARIANT: [self.audience],
            Place.HEADING: [self.section],
            Place.CLAIM: [self.section, self.claim],
            Place.REFERENCE: [self.key],
        }[self.kind]
        return ":".join([self.kind, *map(str, parts)])

    @property
    def label(self) -> str:
        """How people name the place: "Section 2, claim 3", "The summary for students"."""
        if self.kind == Place.SUMMARY:
            return "The summary"
        if self.kind == Place.VARIANT:
            return f"The summary for {Audience(self.audience).label.lower()}"
        if self.kind == Place.HEADING:
            return f"Section {self.section + 1}, heading"
        if self.kind == Place.CLAIM:
            return f"Section {self.section + 1}, claim {self.claim + 1}"
        return f"Reference “{self.key}”"

    @property
    def field_id(self) -> str:
        """The id of the box that edits this place on the article's change form ("" for a reference)."""
        if self.kind == Place.SUMMARY:
            return "id_summary"
        if self.kind == Place.VARIANT:
            return f"id_summary_{self.audience}"
        if self.kind == Place.HEADING:
            return f"id_sections-{self.section}-heading"
        if self.kind == Place.CLAIM:
            return f"id_sections-{self.section}-claims-{self.claim}-text"
        return ""

    @classmethod
    def of(cls, thread: CommentThread) -> "Anchor":
        return cls(thread.kind, thread.section, thread.claim, thread.audience, thread.key)


def parse_anchor(token: str) -> Anchor:
    """The place a form names; CommentRefused for anything that is not a place."""
    kind, _, rest = (token or "").partition(":")
    try:
        if kind == Place.SUMMARY and not rest:
            return Anchor(Place.SUMMARY)
        if kind == Place.VARIANT and rest in Audience.values:
            return Anchor(Place.VARIANT, audience=rest)
        if kind == Place.HEADING:
            return Anchor(Place.HEADING, section=_index(rest))
        if kind == Place.CLAIM:
            section, claim = rest.split(":")
            return Anchor(Place.CLAIM, section=_index(section), claim=_index(claim))
        if kind == Place.REFERENCE and rest:
            return Anchor(Place.REFERENCE, key=rest)
    except ValueError:
        pass
    raise CommentRefused(f"“{token}” is not a place in this answer to comment on.")


def _index(value: str) -> int:
    number = int(value)
    if number < 0 or number > 10_000:
        raise ValueError(value)
    return number


def reference_text(ref: dict) -> str:
    """A cited reference as one line (what a thread on it quotes)."""
    parts = [ref.get("authors", ""), ref.get("title", ""), ref.get("source", ""), str(ref.get("year") or "")]
    return ". ".join(p.strip() for p in parts if p and str(p).strip())


def outline(content: dict) -> list[tuple[Anchor, str]]:
    """Every place of a content one may comment on, in reading order, with its text."""
    places = [(Anchor(Place.SUMMARY), content.get("summary", ""))]
    for audience, text in (content.get("summary_variants") or {}).items():
        if audience in Audience.values:
            places.append((Anchor(Place.VARIANT, audience=audience), text))
    for s, section in enumerate(content.get("sections", [])):
        places.append((Anchor(Place.HEADING, section=s), section.get("heading", "")))
        for c, claim in enumerate(section.get("claims", [])):
            places.append((Anchor(Place.CLAIM, section=s, claim=c), claim.get("text", "")))
    for key, ref in (content.get("references") or {}).items():
        places.append((Anchor(Place.REFERENCE, key=key), reference_text(ref)))
    return places


def text_at(content: dict, anchor: Anchor) -> str | None:
    """The text at a place in a content, or None if the content has no such place."""
    try:
        if anchor.kind == Place.SUMMARY:
            return content.get("summary", "")
        if anchor.kind == Place.VARIANT:
            return (content.get("summary_variants") or {}).get(anchor.audience)
        if anchor.kind == Place.HEADING:
            return content["sections"][anchor.section]["heading"]
        if anchor.kind == Place.CLAIM:
            return content["sections"][anchor.section]["claims"][anchor.claim]["text"]
        ref = (content.get("references") or {}).get(anchor.key)
        return None if ref is None else reference_text(ref)
    except (IndexError, KeyError, TypeError):
        return None


@dataclass
class Located:
    """A thread as it stands in one content: the place it is at now, and whether it is outdated."""

    thread: CommentThread
    anchor: Anchor | None  # None: its place is gone and its text is nowhere
    outdated: bool
    moved: bool = False
    comments: list = field(default_factory=list)
    may_resolve: bool = False  # for the viewer (set by the admin)

    @property
    def label(self) -> str:
        return self.anchor.label if self.anchor else f"{Anchor.of(self.thread).label} (no longer in the text)"


def locate(thread: CommentThread, content: dict, places=None) -> Located:
    """Where the thread is in `content`: at its place if the text there is still what it was written
    on; else at the same kind of place holding exactly that text (it moved); else outdated at its
    place (or nowhere, if the content has no such place any more)."""
    anchor = Anchor.of(thread)
    if text_at(content, anchor) == thread.quoted:
        return Located(thread, anchor, outdated=False)
    if thread.kind in (Place.CLAIM, Place.HEADING):
        for other, text in places if places is not None else outline(content):
            if other.kind == thread.kind and text == thread.quoted:
                return Located(thread, other, outdated=False, moved=True)
    if text_at(content, anchor) is None:
        return Located(thread, None, outdated=True)
    return Located(thread, anchor, outdated=True)


def threads_with_comments(queryset):
    """Threads with their comments, authors and who resolved them, in a fixed number of queries."""
    return queryset.select_related(*people.related("resolved_by"), "resolved_by").prefetch_related(
        Prefetch("comments", queryset=Comment.objects.select_related("author", *people.related("author")))
    )


def threads_for_cycle(review: Review):
    """The threads a cycle's review page shows: the article's open ones (whatever cycle opened
    them: open threads carry over), and those opened, answered or resolved in this cycle."""
    touched = CommentEvent.objects.filter(review=review).values("thread_id")
    return threads_with_comments(
        CommentThread.objects.filter(
            Q(resolved_at__isnull=True) | Q(opened_in=review) | Q(pk__in=touched), article_id=review.article_id
        )
    )


def arrange(threads, content: dict) -> tuple[list[dict], list[Located]]:
    """The outline of `content`, each place with the threads located at it; and the threads whose
    place is gone (outdated, nowhere in the text)."""
    places = outline(content)
    by_place: dict[Anchor, list[Located]] = {}
    lost = []
    for thread in threads:
        located = locate(thread, content, places)
        located.comments = list(thread.comments.all())
        if located.anchor is None:
            lost.append(located)
        else:
            by_place.setdefault(located.anchor, []).append(located)
    return [{"anchor": a, "text": t, "threads": by_place.get(a, [])} for a, t in places], lost


# --- who may do what ------------------------------------------------------------------------


def may_comment(user) -> bool:
    """Board members and editors (and administrators): who reads reviews and submits or starts them."""
    return bool(
        user.is_active
        and user.has_perm("reviews.view_review")
        and (user.has_perm("reviews.submit_review") or user.has_perm("reviews.start_review"))
    )


def may_resolve(user, thread: CommentThread) -> bool:
    """Whoever opened the thread, and the board (a reviewer's concern is the board's to close)."""
    return may_comment(user) and (thread.opened_by_id == user.pk or user.has_perm("reviews.start_review"))


def _require(allowed: bool, what: str, by) -> None:
    if not allowed:
        raise PermissionDenied(f"{people.display_name(by)} may not {what}.")


def _clean_body(body: str, *, required: bool = True) -> str:
    body = clean_text((body or "").replace("\r\n", "\n")).strip()
    if required and not body:
        raise CommentRefused("Write a comment first: it is empty.")
    if len(body) > COMMENT_MAX_LENGTH:
        raise CommentRefused(
            f"A comment may be at most {COMMENT_MAX_LENGTH:,} characters; this one has {len(body):,}. Nothing was saved."
        )
    return body


def mentioned_users(body: str, *, author) -> list:
    """The active board members and editors a body names with @username (not the author);
    CommentRefused naming every @name that is not one of them."""
    names = list(dict.fromkeys(MENTION.findall(body)))
    if not names:
        return []
    users = {
        u.username.casefold(): u
        for u in get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[BOARD, EDITORS]) | Q(is_superuser=True))
        .filter(username__iregex=r"^(" + "|".join(re.escape(n) for n in names) + r")$")
        .distinct()
    }
    unknown = [n for n in names if n.casefold() not in users]
    if unknown:
        raise CommentRefused(
            "No active board member or editor is called "
            + ", ".join(f"@{n}" for n in unknown)
            + ": check the name (nothing was saved)."
        )
    return [users[n.casefold()] for n in names if users[n.casefold()].pk != author.pk]


def latest_cycle(article_id) -> Review | None:
    return (
        Review.objects.filter(article_id=article_id, origin=Review.Origin.BOARD)
        .order_by("-submitted_at", "-id")
        .first()
    )


def takes_new_threads(review: Review) -> bool:
    """Whether threads may be opened on this cycle: it is open (then it is the article's latest, at
    most one is open), or it was sent back to the editor and no later cycle exists."""
    if review.is_open:
        return True
    latest = latest_cycle(review.article_id) if review.state in COMMENTABLE_STATES else None
    return latest is not None and latest.pk == review.pk


def _record(thread, action, *, by, comment=None, anchor=None):
    cycle = latest_cycle(thread.article_id)
    return CommentEvent.objects.create(
        thread=thread,
        article_id=thread.article_id,
        review=cycle,
        action=action,
        by=by,
        comment=comment,
        place=(anchor or Anchor.of(thread)).label[:300],
    )


def _add_comment(thread, *, body, by, action, anchor=None) -> Comment:
    mentioned = mentioned_users(body, author=by)
    comment = Comment(thread=thread, author=by, body=body)
    comment.full_clean()
    comment.save()
    _record(thread, action, by=by, comment=comment, anchor=anchor)
    if mentioned:
        from reviews import notifications

        notifications.notify_mentioned(comment_id=comment.pk, user_ids=[u.pk for u in mentioned])
    return comment


# --- the services ---------------------------------------------------------------------------


def comment_thread_open(*, review: Review, anchor: Anchor | str, body: str, by) -> CommentThread:
    """Open a thread on a place of the cycle's pinned content, with its first comment."""
    _require(may_comment(by), "comment on reviews", by)
    anchor = parse_anchor(anchor) if isinstance(anchor, str) else anchor
    body = _clean_body(body)
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        latest = latest_cycle(review.article_id)
        if review.state not in COMMENTABLE_STATES or latest is None or latest.pk != review.pk:
            raise CommentRefused(
                f"Comments are opened on the cycle under way; this one is {review.get_state_display().lower()}"
                + ("" if latest is None or latest.pk == review.pk else " and a later cycle exists")
                + ". Nothing was saved."
            )
        quoted = text_at(review.content, anchor)
        if quoted is None:
            raise CommentRefused(f"{anchor.label} is not in the version under review. Nothing was saved.")
        thread = CommentThread.objects.create(
            article_id=review.article_id,
            opened_in=review,
            kind=anchor.kind,
            section=anchor.section,
            claim=anchor.claim,
            audience=anchor.audience,
            key=anchor.key,
            quoted=quoted,
            opened_by=by,
        )
        _add_comment(thread, body=body, by=by, action=CommentEvent.Action.OPENED, anchor=anchor)
    return thread


def _locked_thread(thread) -> CommentThread:
    return CommentThread.objects.select_for_update().get(pk=thread.pk)


def comment_reply(*, thread: CommentThread, body: str, by) -> Comment:
    """Reply in a thread (resolved or not: a reply to a resolved thread does not reopen it)."""
    _require(may_comment(by), "comment on reviews", by)
    body = _clean_body(body)
    with transaction.atomic():
        thread = _locked_thread(thread)
        return _add_comment(thread, body=body, by=by, action=CommentEvent.Action.REPLIED)


def comment_thread_resolve(*, thread: CommentThread, by, body: str = "") -> CommentThread:
    """Mark a thread resolved (with an optional last comment)."""
    body = _clean_body(body, required=False)
    with transaction.atomic():
        thread = _locked_thread(thread)
        _require(may_resolve(by, thread), "resolve this thread", by)
        if thread.is_resolved:
            raise CommentRefused("This thread is already resolved.")
        if body:
            _add_comment(thread, body=body, by=by, action=CommentEvent.Action.REPLIED)
        thread.resolved_by, thread.resolved_at = by, timezone.now()
        thread.save(update_fields=["resolved_by", "resolved_at"])
        _record(thread, CommentEvent.Action.RESOLVED, by=by)
    return thread


def comment_thread_reopen(*, thread: CommentThread, by, body: str = "") -> CommentThread:
    """Open a resolved thread again (with an optional comment saying why)."""
    _require(may_comment(by), "reopen threads", by)
    body = _clean_body(body, required=False)
    with transaction.atomic():
        thread = _locked_thread(thread)
        if not thread.is_resolved:
            raise CommentRefused("This thread is open already.")
        thread.resolved_by, thread.resolved_at = None, None
        thread.save(update_fields=["resolved_by", "resolved_at"])
        _record(thread, CommentEvent.Action.REOPENED, by=by)
        if body:
            _add_comment(thread, body=body, by=by, action=CommentEvent.Action.REPLIED)
    return thread


# --- approval -------------------------------------------------------------------------------


def unresolved_summary(review: Review) -> list[str]:
    """Each unresolved thread of the article, named where it is in the cycle's content:
    "Section 2, claim 3: “the first comment…”"."""
    threads = CommentThread.objects.unresolved().filter(article_id=review.article_id).prefetch_related("comments")
    places = outline(review.content)
    lines = []
    for thread in threads:
        located = locate(thread, review.content, places)
        first = next(iter(thread.comments.all()), None)
        said = (first.body if first else "").replace("\n", " ")
        said = said if len(said) <= 80 else said[:79] + "…"
        lines.append(f"{located.label}{' (outdated)' if located.outdated else ''}: “{said}”")
    return lines


def approval_blockers(review: Review) -> list[str]:
    """With ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL on, the reasons unresolved threads refuse the
    approval (one line naming how many, then each by place); off, none (the page warns)."""
    if not settings.ORACLE_UNRESOLVED_COMMENTS_BLOCK_APPROVAL:
        return []
    lines = unresolved_summary(review)
    if not lines:
        return []
    count = f"{len(lines)} comment thread{'s are' if len(lines) != 1 else ' is'} still unresolved"
    return [f"Resolve every comment thread before approving: {count}: " + "; ".join(lines) + "."]
