"""Long because it is the one place for every shared helper of the test suite, by design: anything a
test or a conftest imports that is not a test or a fixture lives here (fixtures stay in the
conftest.py nearest the tests that use them, and no test imports a conftest).

Sections, in order:
- paths and data files
- factories
- the review workflow
- admin forms
- public pages and HTML checks
- mail
- durable effects (the worker's queue)
- a site in every state (the security tests' world)
- a throwaway checkout
- the browser
- the bench scripts
"""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import factory
import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections
from reversion.models import Version

from articles.follow_ups import follow_up_create
from articles.models import (
    Article,
    Claim,
    ErrorReport,
    ErrorReportEvent,
    FollowUpQuestion,
    Publication,
    Section,
    SitePage,
    Topic,
    Withdrawal,
)
from articles.publishing import article_publish, article_withdraw_from_public
from references.citations import MARKER_RE
from references.models import Reference
from reviews.models import (
    BoardMember,
    Comment,
    CommentEvent,
    Review,
    ReviewApproval,
    ReviewTransition,
    SourceAlert,
    SourceEvent,
)
from reviews.services import review_approve, review_request_changes, review_start, review_submit

# --- paths and data files ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent  # this checkout
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_PAGE = DATA / "baclofen-back-pain.txt"
DEMO_PAGE = ROOT / "demo" / "baclofen-back-pain.demo.txt"


# --- factories ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"  # every UserFactory user's


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            if not Group.objects.filter(name=name).exists():
                # transactional tests flush the data migration's groups: recreate them
                from django.apps import apps

                from reviews.roles import sync_roles

                sync_roles(apps)
            self.groups.add(Group.objects.get(name=name))


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    key = factory.Sequence(lambda n: f"ref-{n}")
    kind = Reference.Kind.RESEARCH
    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    source = "Journal of Examples"
    year = 2021


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    question = factory.Sequence(lambda n: f"Is treatment {n} safe?")
    slug = factory.Sequence(lambda n: f"is-treatment-{n}-safe")
    summary = "It depends."


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    heading = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    section = factory.SubFactory(SectionFactory)
    text = "A statement."
    position = factory.Sequence(lambda n: n)


LITERATURE_THROUGH = datetime.date(2025, 6, 30)
# What the review page's decision panel sends about the change for readers beside an approval.
CHANGE_FOR_READERS = {
    "change_class": "minor",
    "change_note": "Checked against current guidance.",
    "literature_confirmed": LITERATURE_THROUGH.isoformat(),
}


def make_article(*, sections: int = 2, claims_per_section: int = 3, references: int = 4, **fields) -> Article:
    """An article whose claims cite `references` references round-robin, with the summary citing the first."""
    refs = [ReferenceFactory() for _ in range(references)]
    summary = fields.pop("summary", "Short answer")
    # how far the evidence was searched: content an approver confirms (articles/change_notes.py)
    fields.setdefault("literature_through", LITERATURE_THROUGH)
    article = ArticleFactory(summary=f"{summary} [@{refs[0].key}]" if refs else summary, **fields)
    n = 0
    for s in range(sections):
        section = SectionFactory(article=article, heading=f"Heading {s + 1}", position=s)
        for c in range(claims_per_section):
            marker = f" [@{refs[n % len(refs)].key}]" if refs else ""
            ClaimFactory(section=section, text=f"Claim {s + 1}.{c + 1}{marker}", position=c)
            n += 1
    return article


# --- the review workflow -----------------------------------------------------------------------


def publish_directly(article) -> Publication:
    """Publish the working copy at once, as an approval does, without a review cycle."""
    return article_publish(article=article, origin=Publication.Origin.APPROVAL)


def reapprove(article, *, editor, board, change_summary="Update", comment="", change=None) -> Article:
    """Take the article's working copy through a whole review cycle; the article, re-read.
    `change`: (class, note) the approver gives readers (`articles/change_notes.py`); none by default.
    An article without "Literature reviewed through" (an imported one) gets the builders' date first,
    as its editor must set one before submitting."""
    if article.literature_through is None:
        article.literature_through = LITERATURE_THROUGH
        article.save(update_fields=["literature_through"])
    review = review_submit(article=article, by=editor, change_summary=change_summary)
    review_start(review=review, by=board)
    told = {}
    if change is not None:
        told = {"change_class": change[0], "change_note": change[1], "literature_confirmed": article.literature_through}
    review_approve(review=review, by=board, comment=comment, ticked=every_checklist_item(review), **told)
    return Article.objects.select_related("current_publication").get(pk=article.pk)


def every_checklist_item(review) -> list[int]:
    """The ids of every checklist item offered to this cycle's approver: approve with all ticked."""
    from reviews.services import checklist_for

    return [item.pk for item in checklist_for(review)]


def published_file(article) -> Path:
    """The static file of the article's answer page, as nginx would serve it."""
    return Path(settings.ORACLE_PUBLISH_DIR) / "articles" / article.slug / "index.html"


def set_due(article, when):
    """Make the published article due for re-review on `when` (no signal, no re-render); the article."""
    Article.objects.filter(pk=article.pk).update(next_review_due=when)
    article.refresh_from_db()
    return article


def save_revision(user, comment, change):
    """Run `change` inside a reversion revision by `user` with `comment`; the revision."""
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        change()
    return Version.objects.order_by("-pk").first().revision


def rename(editor, article, question):
    """The editor changes the answer's question, saved as a revision (as the admin saves it)."""

    def change():
        fresh = Article.objects.get(pk=article.pk)
        fresh.question = question
        fresh.save()

    return save_revision(editor, "Update", change)


def race(*actions):
    """Run each action in its own thread (own connection), released together; collect outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


# --- admin forms -------------------------------------------------------------------------------
# Read an admin change form the way a browser would submit it, so tests can post real forms.


def change_url(article) -> str:
    """The article's change form in the admin."""
    return f"/admin/articles/article/{article.pk}/change/"


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, form_id: str) -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(html)
    # Django's textarea widget starts its content with a newline that browsers drop.
    return {k: (v[1:] if v.startswith("\n") else v) for k, v in parser.fields.items()}


# --- public pages and HTML checks --------------------------------------------------------------
# Structural checks of HTML output: parse it like a browser would and look at what is live.

SAFE_SCHEMES = {"", "http", "https", "mailto"}
DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "img",
    "style",
    "form",
    "input",
    "base",
    "meta",
    "link",
}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def live_tags(html: str):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_no_live_script(html: str, *, allow_tags=()):
    """No script-capable element, no event handler attribute, no non-http(s)/mailto URL."""
    for tag, attrs in live_tags(html):
        assert tag not in DANGEROUS_TAGS - set(allow_tags), f"live <{tag}> in output"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            assert name != "style", f"style attribute on <{tag}>"
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, f"{name}={value!r} on <{tag}>"


def hit_titles(response) -> list[str]:
    """The questions of the search results on a search page, in order."""
    return [hit.publication.question for hit in response.context["hits"]]


# --- mail --------------------------------------------------------------------------------------


class FailingMailBackend(BaseEmailBackend):
    """A mail server that is down: settings.EMAIL_BACKEND = "tests.helpers.FailingMailBackend"."""

    def send_messages(self, email_messages):
        raise ConnectionError("mail server unreachable")


# --- durable effects (the worker's queue) -------------------------------------------------------


def run_effects() -> int:
    """Run every effect that is due, in this process, through the worker's own code (its sweep,
    and django-tasks-db's `Worker.run_task` for each ready task), without the worker's loop, which
    closes connections between tasks (inside a test's transaction that would drop the database);
    how many effects it finished (done or failed)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from core.models import Effect
    from core.tasks import sweep

    finished = Effect.objects.filter(status__in=["done", "failed"]).count()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    sweep()
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)
    return Effect.objects.filter(status__in=["done", "failed"]).count() - finished


def effects_due_now() -> None:
    """As if the backoff had passed: every waiting effect (and its task) is due now."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from core.models import Effect

    now = timezone.now()
    Effect.objects.filter(status="pending").update(run_after=now)
    DBTaskResult.objects.filter(status="READY", run_after__gt=now).exclude(run_after__year=9999).update(run_after=now)


def effects(**filters):
    """The recorded effects (core.models.Effect), oldest first."""
    from core.models import Effect

    return list(Effect.objects.filter(**filters).order_by("pk"))


# --- a site in every state (the security tests' world) -----------------------------------------
# A small site in every state the authorization tests need, with unique marker strings planted in
# everything readers must never see (drafts, pending updates, review comments, readers' questions).

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
    "error_report_text": "ZQXERRORREPORT",
    "error_report_email": "zqxreporteremail",
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


def _saved(obj, by):
    with reversion.create_revision():
        obj.save()
        reversion.set_user(by)
    return obj


def build_world() -> World:
    editor = UserFactory(username="editor", groups=["Editors"])
    board = UserFactory(username="board", first_name="Bo", last_name="Reviewer", groups=["Medical Advisory Board"])
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

    def publish(a):
        return reapprove(
            a,
            editor=editor,
            board=board,
            change_summary="Ready for review",
            comment="Checked against the sources",
            # so What's new and its feed list every published answer (the withdrawn one must not be there)
            change=("major", "Rewritten against the newest guideline."),
        )

    m = MARKERS
    published = publish(article("is-aspirin-safe", "Is aspirin safe?"))
    published = edit(
        published,
        editor,
        summary=f"{m['pending_update_summary']} a new summary",
        question=f"{m['pending_update_question']} Is aspirin safe?",
        claim=f"{m['pending_update_claim']} a changed claim",
    )
    review = review_submit(article=published, by=editor, change_summary=f"{m['pending_change_summary']} update")
    review_start(review=review, by=board, comment=f"{m['review_comment']} starting")

    unsubmitted = publish(article("is-paracetamol-safe", "Is paracetamol safe?"))
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

    withdrawn = publish(article("is-baclofen-safe", "Is baclofen safe?"))
    article_withdraw_from_public(article=withdrawn, by=board, reason="Withdrawn while a safety signal is checked.")
    withdrawn = edit(withdrawn, editor, summary=f"{m['withdrawn_then_edited']} edited after withdrawal")

    changes = publish(article("is-naproxen-safe", "Is naproxen safe?"))
    changes = edit(changes, editor, summary=f"{m['changes_requested_text']} a rejected update")
    review = review_start(review=review_submit(article=changes, by=editor), by=board)
    review_request_changes(review=review, by=board, comment=f"{m['review_comment']} please fix")

    follow_up = follow_up_create(
        article=published,
        text=f"{m['follow_up_text']} does aspirin interact with warfarin?",
        email=f"{m['follow_up_email']}@example.org",
    )

    # a reader's error report on the published claim: never shown to readers (markers)
    from articles.error_reports import claim_at, error_report_create

    error_report = error_report_create(
        claim=claim_at(Article.objects.get(pk=published.pk).current_publication, 1, 1),
        text=f"{m['error_report_text']} the dose is wrong",
        email=f"{m['error_report_email']}@example.org",
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
        extra={"error_report": error_report},
    )


def state_fingerprint() -> tuple:
    """Everything an action could change that matters: counts, workflow states, powers."""
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
            Comment,
            CommentEvent,
            ErrorReport,
            ErrorReportEvent,
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
    reports = tuple(ErrorReport.objects.order_by("pk").values_list("pk", "state", "text", "claim_text", "resolution"))
    return counts, articles, reviews, users, groups, follow_ups, alerts, reports


# --- a throwaway checkout ----------------------------------------------------------------------
# A throwaway copy of this checkout, to run `make` targets and `manage.py` exactly as a developer
# types them, without touching the working tree: the copy has its own `.env`, `db.sqlite3` and
# `publish/`, and shares only the virtualenv (a symlink; `make -o .venv/.installed` never reinstalls).

# What a fresh clone does not have (git-ignored or generated), plus the virtualenv, linked instead.
LEFT_OUT = {
    ".git",
    ".venv",
    ".env",
    ".env.new",
    "db.sqlite3",
    "db.sqlite3-journal",
    "publish",
    "staticfiles",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "results",  # bench/results/
    "screenshots",  # tests/browser/screenshots/
}
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) for name in %r}))"
)


def copy_checkout(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=lambda directory, names: [n for n in names if n in LEFT_OUT])
    (dest / ".venv").symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
    return dest


def developer_env(**extra) -> dict[str, str]:
    """A developer's shell: none of the test run's settings, database, cache or make variables."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "ORACLE_", "MAKE", "MFLAGS"))
        and name not in ("DATABASE_URL", "REDIS_URL", "PORT", "PYTHONPATH")
    }
    env.update(extra)
    return env


def make(checkout: Path, *args, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=checkout,
        env=env or developer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(checkout: Path, *args, env=None, timeout=120) -> subprocess.CompletedProcess:
    """`.venv/bin/python manage.py ARGS` typed in the checkout."""
    return subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=checkout,
        env=env or developer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def settings_seen_by_manage_py(checkout: Path, *names, env=None) -> dict:
    done = manage(checkout, "shell", "-c", PRINT_SETTINGS % (names,), env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the browser -------------------------------------------------------------------------------


def tell_readers(page, *, change_class="minor", note=None, click=None):
    """In the decision panel's "What changed, for readers" (articles/change_notes.py): choose the
    class, keep the editor's proposed note (or write `note`; one is written when none was
    proposed) and confirm the literature date. `click` counts the clicks (tests of a path)."""
    click = click or (lambda locator: locator.check())
    click(page.locator(f"#change-class-{change_class}"))
    if note is not None or not page.locator("#change-note").input_value():
        page.fill("#change-note", note or "Checked against current guidance.")
    click(page.locator("#literature-confirmed"))


def log_in(page, live_server, username, welcome_name=None):
    """Sign `username` into the admin on `page` and wait for the admin to greet them."""
    from playwright.sync_api import expect  # only the browser tests need Playwright

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(welcome_name or username)


# --- the bench scripts -------------------------------------------------------------------------


def run_bench_script(script: str, *args, env=None, timeout=300) -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS` in this checkout (`script` like "bench/history.py"), with the test settings
    unless `env` says otherwise."""
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args],
        cwd=ROOT,
        env=env if env is not None else {**os.environ, "DJANGO_SETTINGS_MODULE": "oracle.settings_test"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def without_report_links(html: str) -> str:
    """An answer page's body without what `articles.error_reports.with_report_links` adds (the
    "Report a problem with this claim" links and their script): the reviewed body, as stored."""
    html = re.sub(r' <a class="claim-report" href="[^"]*" rel="nofollow" data-claim="[^"]*">.*?</a>', "", html)
    return html.replace('<script src="/static/articles/error_reports.js" defer></script>', "")
