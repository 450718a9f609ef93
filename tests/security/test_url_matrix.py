"""Every URL of the site and the admin, as each role, against the intended authorization matrix.

The matrix below classifies every URL pattern Django resolves (walked from the root resolver, the
admin's generated and custom views and `/api/` included). A pattern the matrix does not know
fails `test_every_url_pattern_is_classified`, so no URL can be added without saying who may use it.

Roles: an anonymous reader, an editor (Editors group), a board member (Medical Advisory Board), an
administrator (superuser). Outcomes: an HTTP status, or LOGIN (a redirect to the admin login).

Intended, in short:
- public pages (answers, history, permalinks, topics, search, feed, sitemap, trust pages): the same
  for everyone, logged in or not, and only approved publications (drafts 404, withdrawn 410);
- the admin: never for anonymous readers; editors and board members view the editorial records
  (articles, previews, pinned revisions, diffs, the audit trail, readers' follow-up questions) and
  change content, but records (publications, reviews, the audit trail, withdrawals) are read-only
  for everyone, and user accounts and groups belong to administrators alone;
- POST-only actions refuse GET, and refuse the wrong role (403, or LOGIN) without changing anything.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from articles.models import ContentCheckSettings, Withdrawal
from core.models import Effect
from reviews.models import BoardMember, ChecklistItem, Review, ReviewTransition
from tests.helpers import MARKERS, find_markers, state_fingerprint

pytestmark = pytest.mark.django_db

ROLES = ("anon", "editor", "board", "admin")
LOGIN = "login"


def every(outcome):
    return dict.fromkeys(ROLES, outcome)


def staff(outcome, **overrides):
    """Admin pages: anonymous readers are sent to log in; every staff role gets `outcome`."""
    return {"anon": LOGIN, "editor": outcome, "board": outcome, "admin": outcome, **overrides}


def admin_only(outcome=200, refused=403):
    return {"anon": LOGIN, "editor": refused, "board": refused, "admin": outcome}


@dataclass
class Case:
    path: Callable  # world -> path with query string
    expect: dict
    method: str = "get"
    data: Callable | None = None  # world -> POST data
    note: str = ""
    headers: dict | Callable | None = None  # or world -> headers
    unchanged: bool = False  # nothing may change whatever the status (refusals never change anything)


def get(path, expect, note=""):
    return Case(path=path, expect=expect, note=note)


def post(path, expect, data=None, note="", headers=None, unchanged=False, method="post"):
    return Case(path=path, expect=expect, method=method, data=data, note=note, headers=headers, unchanged=unchanged)


def bearer(token_name):
    return lambda w: {"Authorization": f"Bearer {w.extra[token_name + '_secret']}"}


def api_get(path, expect, headers=None, note=""):
    return Case(path=path, expect=expect, headers=headers, note=note)


# --- the admin's models: who may view (v), add (a), change (c), delete (d) ---------------------
# Read-only records are "v" for everyone, administrators included (their ModelAdmin refuses the rest).

ADMIN_MODELS = {
    # model path: (editor, board, admin, object in the world, versioned with VersionAdmin)
    "auth/group": ("", "", "vacd", lambda w: w.extra["group"], False),
    "auth/user": ("", "", "vacd", lambda w: w.board2, False),
    "articles/publication": ("v", "v", "v", lambda w: w.published.current_publication, False),
    "articles/sitepage": ("vc", "vc", "vac", lambda w: w.site_page, True),
    "articles/topic": ("vac", "vac", "vacd", lambda w: w.topic, False),
    "articles/followupquestion": ("vc", "vc", "vcd", lambda w: w.follow_up, False),
    # readers' error reports are records: viewed by staff, decided by their own POST views, never edited
    "articles/errorreport": ("v", "v", "v", lambda w: w.extra["error_report"], False),
    "articles/withdrawal": ("v", "v", "v", lambda w: Withdrawal.objects.get(article=w.withdrawn), False),
    "references/reference": ("vac", "vac", "vacd", lambda w: w.reference_uncited, True),
    "articles/article": ("vac", "vac", "vacd", lambda w: w.draft, True),
    "reviews/review": ("v", "v", "v", lambda w: Review.objects.filter(article=w.published).first(), False),
    "reviews/reviewtransition": ("v", "v", "v", lambda w: ReviewTransition.objects.first(), False),
    "reviews/boardmember": ("v", "v", "vacd", lambda w: BoardMember.objects.get(user=w.board), False),
    # source events and their alerts are permanent records: recorded and resolved by their own views
    "reviews/sourceevent": ("v", "v", "v", lambda w: w.extra["source_event"], False),
    "reviews/sourcealert": ("v", "v", "v", lambda w: w.extra["source_alert"], False),
    # the re-review queue is a read-only view of the published answers
    "reviews/rereviewqueue": ("v", "v", "v", lambda w: w.published, False),
    # the approval checklist: the board sets it (retires items; an item once attested is never deleted)
    "reviews/checklistitem": ("v", "vac", "vacd", lambda w: _checklist_item(), False),
    # schedules: the board schedules withdrawals (publications come from approvals) and cancels them
    # with their own view; nobody edits or deletes one
    "reviews/schedule": ("v", "va", "va", lambda w: _schedule(w), False),
    # review workflows and their stages: the board sets them (reviews/stages.py)
    "reviews/workflow": ("v", "vac", "vacd", lambda w: _workflow(), False),
    # API tokens are credentials: administrators only; revoked, never deleted
    "api/apitoken": ("", "", "vac", lambda w: w.extra["api_token"], False),
    # the content checks' configuration: one row (made by a migration) the board sets; everyone reads it
    "articles/contentchecksettings": ("v", "vc", "vc", lambda w: ContentCheckSettings.current(), False),
    # durable effects: administrators watch them (and retry them with an action), nobody edits them
    "core/effect": ("", "", "v", lambda w: Effect.objects.order_by("pk").first(), False),
}


def _schedule(world):
    from reviews.models import Schedule
    from reviews.schedules import schedule_withdrawal

    return Schedule.objects.order_by("pk").first() or schedule_withdrawal(
        article=world.published, by=world.board, due_at=timezone.now() + timedelta(days=3), reason="Outdated."
    )


def _workflow():
    from django.contrib.auth.models import Group

    from reviews.models import Workflow

    workflow = Workflow.objects.order_by("pk").first()
    if workflow is None:
        workflow = Workflow.objects.create(name="Site default")
        workflow.stages.create(
            name="Clinical review", group=Group.objects.get_or_create(name="Medical Advisory Board")[0]
        )
    return workflow


def _checklist_item():
    return ChecklistItem.objects.order_by("pk").first() or ChecklistItem.objects.create(text="Doses checked")


def _model_cases(model, editor, board, admin_perms, obj, versioned):
    perms = {"editor": editor, "board": board, "admin": admin_perms}

    def outcome(letters, ok=200):
        return {"anon": LOGIN} | {role: ok if any(p in held for p in letters) else 403 for role, held in perms.items()}

    base = f"/admin/{model}/"

    def at(suffix):
        return lambda w: f"{base}{obj(w).pk}/{suffix}"

    cases = {
        f"admin/{model}/": [get(lambda w: base, outcome("vc"))],
        f"admin/{model}/add/": [get(lambda w: f"{base}add/", outcome("a"))],
        f"admin/{model}/<path:object_id>/history/": [get(at("history/"), outcome("vc"))],
        f"admin/{model}/<path:object_id>/delete/": [get(at("delete/"), outcome("d"))],
        f"admin/{model}/<path:object_id>/change/": [get(at("change/"), outcome("vc"))],
        # the old-style object URL only redirects to .../change/, which checks permissions itself
        f"admin/{model}/<path:object_id>/": [get(at(""), staff(302))],
    }
    if versioned:
        cases[f"admin/{model}/recover/$"] = [get(lambda w: f"{base}recover/", outcome_all(perms, "a", "c"))]
        cases[f"admin/{model}/recover/(\\d+)/$"] = []  # filled per model below
        cases[f"admin/{model}/([^/]+)/history/(\\d+)/$"] = []
    return cases


def outcome_all(perms, *needed, ok=200):
    return {"anon": LOGIN} | {role: ok if all(p in held for p in needed) else 403 for role, held in perms.items()}


def build_matrix():
    m: dict[str, list[Case]] = {}
    answers = {"published": 200, "unsubmitted": 200, "changes": 200, "draft": 404, "submitted": 404, "withdrawn": 410}
    for model, spec in ADMIN_MODELS.items():
        m.update(_model_cases(model, *spec))

    # -- overrides and the versioned models' revision views -------------------------------------
    # A published article is never deleted, a cited reference neither: the delete page sends
    # everyone back to the change page with the reason (before asking about the permission).
    m["admin/articles/article/<path:object_id>/delete/"].append(
        get(lambda w: f"/admin/articles/article/{w.published.pk}/delete/", staff(302))
    )
    m["admin/references/reference/<path:object_id>/delete/"].append(
        get(lambda w: f"/admin/references/reference/{w.reference_cited.pk}/delete/", staff(302))
    )
    # Our article admin never reverts in place: its revision URL redirects to the history.
    m["admin/articles/article/([^/]+)/history/(\\d+)/$"] = [
        get(lambda w: f"/admin/articles/article/{w.published.pk}/history/{_version_id(w.published)}/", staff(302))
    ]
    m["admin/articles/article/recover/(\\d+)/$"] = [
        get(lambda w: f"/admin/articles/article/recover/{w.deleted_article_version.pk}/", staff(200))
    ]
    m["admin/references/reference/([^/]+)/history/(\\d+)/$"] = [
        get(
            lambda w: (
                f"/admin/references/reference/{w.reference_uncited.pk}/history/{_version_id(w.reference_uncited)}/"
            ),
            staff(200),
        )
    ]
    m["admin/references/reference/recover/(\\d+)/$"] = [
        get(lambda w: f"/admin/references/reference/recover/{w.deleted_reference_version.pk}/", staff(200))
    ]
    m["admin/articles/sitepage/([^/]+)/history/(\\d+)/$"] = [
        get(lambda w: f"/admin/articles/sitepage/{w.site_page.pk}/history/{_version_id(w.site_page)}/", staff(200))
    ]
    # Only who may add site pages may recover one (there are exactly two, made by a migration).
    m["admin/articles/sitepage/recover/(\\d+)/$"] = [
        get(lambda w: f"/admin/articles/sitepage/recover/{_version_id(w.site_page)}/", admin_only(200))
    ]
    # The article's history/change pages in every workflow state, pinned revisions and the audit trail included.
    for name in ("published", "unsubmitted", "submitted", "withdrawn", "changes"):
        m["admin/articles/article/<path:object_id>/change/"].append(
            get(lambda w, n=name: f"/admin/articles/article/{getattr(w, n).pk}/change/", staff(200), note=name)
        )
        m["admin/articles/article/<path:object_id>/history/"].append(
            get(lambda w, n=name: f"/admin/articles/article/{getattr(w, n).pk}/history/", staff(200), note=name)
        )
    m["admin/reviews/review/<path:object_id>/change/"].append(
        get(lambda w: f"/admin/reviews/review/{Review.objects.get(article=w.submitted).pk}/change/", staff(200))
    )
    # The user list is user data: administrators only, also through autocomplete and password pages.
    m["admin/auth/user/<id>/password/"] = [get(lambda w: f"/admin/auth/user/{w.board2.pk}/password/", admin_only())]

    # -- forged posts to read-only records and to other people's powers: refused, nothing changes -----
    m["admin/auth/user/<path:object_id>/change/"].append(
        post(
            lambda w: f"/admin/auth/user/{w.editor.pk}/change/",
            {"anon": LOGIN, "editor": 403, "board": 403},
            data=lambda w: {"username": "editor", "is_staff": "on", "is_superuser": "on", "is_active": "on"},
            note="making oneself a superuser",
        )
    )
    m["admin/auth/group/<path:object_id>/change/"].append(
        post(
            lambda w: f"/admin/auth/group/{w.extra['group'].pk}/change/",
            {"anon": LOGIN, "editor": 403, "board": 403},
            data=lambda w: {"name": "Editors", "permissions": [p.pk for p in _all_permissions()]},
            note="granting one's group every permission",
        )
    )
    m["admin/articles/publication/<path:object_id>/change/"].append(
        post(
            lambda w: f"/admin/articles/publication/{w.published.current_publication_id}/change/",
            staff(403),
            data=lambda w: {"question": "Rewritten after approval", "change_summary": "x"},
            note="publications are immutable",
        )
    )
    m["admin/articles/publication/<path:object_id>/delete/"].append(
        post(
            lambda w: f"/admin/articles/publication/{w.published.current_publication_id}/delete/",
            staff(403),
            data=lambda w: {"post": "yes"},
        )
    )
    m["admin/reviews/review/add/"].append(
        post(lambda w: "/admin/reviews/review/add/", staff(403), data=lambda w: {"state": "approved"})
    )
    m["admin/reviews/reviewtransition/<path:object_id>/delete/"].append(
        post(
            lambda w: f"/admin/reviews/reviewtransition/{ReviewTransition.objects.first().pk}/delete/",
            staff(403),
            data=lambda w: {"post": "yes"},
            note="the audit trail is append-only",
        )
    )
    m["admin/reviews/review/"].append(
        post(
            lambda w: "/admin/reviews/review/",
            staff(200),
            data=lambda w: {
                "action": "delete_selected",
                "_selected_action": [r.pk for r in Review.objects.all()],
                "post": "yes",
            },
            note="bulk delete of reviews is not an action",
            unchanged=True,
        )
    )
    m["admin/articles/article/<path:object_id>/delete/"].append(
        post(
            lambda w: f"/admin/articles/article/{w.draft.pk}/delete/",
            {"anon": LOGIN, "editor": 403, "board": 403},
            data=lambda w: {"post": "yes"},
        )
    )
    m["admin/reviews/boardmember/add/"].append(
        post(
            lambda w: "/admin/reviews/boardmember/add/",
            {"anon": LOGIN, "editor": 403, "board": 403},
            data=lambda w: {"user": w.editor.pk, "display_name": "Dr. Editor", "is_listed": "on"},
            note="an editor joining the board",
        )
    )

    # -- the admin site's own views -----------------------------------------------------------
    m["admin/"] = [get(lambda w: "/admin/", staff(200))]
    m["admin/login/"] = [get(lambda w: "/admin/login/", staff(302, anon=200))]
    m["admin/logout/"] = [
        get(lambda w: "/admin/logout/", staff(405, anon=302), note="logging out is POST-only"),
        post(lambda w: "/admin/logout/", staff(200, anon=302)),
    ]
    m["admin/password_change/"] = [get(lambda w: "/admin/password_change/", staff(200))]
    m["admin/password_change/done/"] = [get(lambda w: "/admin/password_change/done/", staff(200))]
    m["admin/autocomplete/"] = [
        get(
            lambda w: "/admin/autocomplete/?app_label=reviews&model_name=boardmember&field_name=user&term=bo",
            admin_only(),
            note="user accounts are searchable by administrators only",
        )
    ]
    m["admin/jsi18n/"] = [get(lambda w: "/admin/jsi18n/", staff(200))]
    m["admin/r/<path:content_type_id>/<path:object_id>/"] = [
        get(lambda w: f"/admin/r/{ContentType.objects.get_for_model(w.published).pk}/{w.published.pk}/", staff(302))
    ]
    m["admin:app_list"] = [
        get(lambda w: "/admin/articles/", staff(200)),
        get(lambda w: "/admin/reviews/", staff(200)),
        get(lambda w: "/admin/references/", staff(200)),
        get(lambda w: "/admin/auth/", admin_only(200, refused=404)),
    ]
    m["admin/(?P<url>.*)$"] = [get(lambda w: "/admin/no-such-page/", staff(404))]
    m["_nested_admin/server-data\\.js$"] = [get(lambda w: "/_nested_admin/server-data.js", staff(200, anon=403))]

    # -- custom admin views ---------------------------------------------------------------------
    def art(name, suffix):
        return lambda w: f"/admin/articles/article/{getattr(w, name).pk}/{suffix}"

    m["admin/articles/article/<int:pk>/preview/"] = [
        get(art(name, "preview/"), staff(200), note=name)
        for name in ("draft", "published", "unsubmitted", "submitted", "withdrawn")
    ]
    m["admin/articles/article/<int:pk>/history/diff/"] = [
        get(
            lambda w: (
                f"/admin/articles/article/{w.published.pk}/history/diff/?from={w.first_revision(w.published)}&to={w.last_revision(w.published)}"
            ),
            staff(200),
        ),
        get(lambda w: f"/admin/articles/article/{w.published.pk}/history/diff/?to=abc", staff(400)),
        get(lambda w: f"/admin/articles/article/{w.published.pk}/history/diff/?to=999999", staff(404)),
    ]
    m["admin/articles/article/citation-check/"] = [
        get(lambda w: "/admin/articles/article/citation-check/?key=uncited-ref&key=nope", staff(200))
    ]
    # citing by search on the change form (pharmacists, who read but write nothing: tests/articles/test_cite.py)
    m["admin/articles/article/cite/search/"] = [
        get(lambda w: "/admin/articles/article/cite/search/?q=aspirin", staff(200)),
        get(lambda w: "/admin/articles/article/cite/search/?q=" + "x" * 201, staff(400), note="query too long"),
        post(lambda w: "/admin/articles/article/cite/search/", staff(405), data=lambda w: {"q": "a"}),
    ]
    m["admin/articles/article/cite/new-reference/"] = [
        get(lambda w: "/admin/articles/article/cite/new-reference/", staff(405), note="creating is POST-only"),
        post(
            lambda w: "/admin/articles/article/cite/new-reference/",
            staff(201),
            data=lambda w: {"newref-kind": "guideline", "newref-title": "A matrix guideline", "newref-year": "2020"},
        ),
        post(
            lambda w: "/admin/articles/article/cite/new-reference/",
            staff(400),
            data=lambda w: {"newref-kind": "guideline", "newref-title": "Bad DOI", "newref-doi": "nope"},
            note="an invalid DOI creates nothing",
        ),
    ]
    # the content checks of the posted form: nothing saved, whoever asks
    m["admin/articles/article/content-checks/"] = [
        get(lambda w: "/admin/articles/article/content-checks/", staff(405), note="POST-only"),
        post(
            lambda w: "/admin/articles/article/content-checks/",
            staff(200),
            data=lambda w: {"question": "Checked?", "summary": "It always works", "sections-TOTAL_FORMS": "0"},
            unchanged=True,
        ),
    ]
    # the configuration's list is its one row's change page
    m["admin/articles/contentchecksettings/"] = [get(lambda w: "/admin/articles/contentchecksettings/", staff(302))]
    m["admin/articles/contentchecksettings/<path:object_id>/change/"].append(
        post(
            lambda w: "/admin/articles/contentchecksettings/1/change/",
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"reading_level": "off", "duplicate_claims": "off"},
            note="an editor turning the checks off",
        )
    )
    # the live preview renders the posted form and saves nothing, whoever asks
    m["admin/articles/article/live-preview/"] = [
        get(lambda w: "/admin/articles/article/live-preview/", staff(405), note="POST-only"),
        post(
            lambda w: "/admin/articles/article/live-preview/",
            staff(200),
            data=lambda w: {
                "question": "Previewed?",
                "summary": "Not saved [@uncited-ref]",
                "sections-TOTAL_FORMS": "0",
            },
            unchanged=True,
        ),
    ]

    # readers' error reports: the decisions are POST-only; the board (and administrators) take them,
    # editors get 403 with nothing changed; opening an update needs an accepted report (409 otherwise)
    def report_action(action):
        return lambda w: f"/admin/articles/errorreport/{w.extra['error_report'].pk}/{action}/"

    for action, data, board in (
        ("accept", {}, 302),
        ("reject", {"reject-resolution": "The claim matches the label."}, 302),
        ("fix", {"fix-resolution": "Corrected."}, 302),
    ):
        m[f"admin/articles/errorreport/<int:pk>/{action}/"] = [
            get(report_action(action), staff(405), note="POST-only"),
            post(
                report_action(action),
                {"anon": LOGIN, "editor": 403, "board": board, "admin": board},
                data=lambda w, d=data: d,
            ),
        ]
    m["admin/articles/errorreport/<int:pk>/reject/"].append(
        post(report_action("reject"), staff(400, editor=403), data=lambda w: {}, note="no resolution", unchanged=True)
    )
    m["admin/articles/errorreport/<int:pk>/open-update/"] = [
        get(report_action("open-update"), staff(405), note="POST-only"),
        post(
            report_action("open-update"),
            staff(409),
            data=lambda w: {},
            note="a new report: accept it first",
            unchanged=True,
        ),
    ]
    m["admin/reviews/review/<int:pk>/preview/"] = [
        get(
            lambda w, n=name: f"/admin/reviews/review/{Review.objects.get(article=getattr(w, n)).pk}/preview/",
            staff(200),
        )
        for name in ("submitted", "draft_review_of_published")
        if name != "draft_review_of_published"
    ] + [
        get(
            lambda w: f"/admin/reviews/review/{Review.objects.filter(article=w.published).first().pk}/preview/",
            staff(200),
        )
    ]
    # The review page: staff read it; deciding is POST-only, refused to editors (403, nothing changes),
    # and a decision made on a state the review has left is refused (409) with nothing changed.
    m["admin/reviews/review/<int:pk>/workspace/"] = [
        get(lambda w, n=name: f"/admin/reviews/review/{_open_review(getattr(w, n))}/workspace/", staff(200), note=n)
        for n, name in (("under review", "published"), ("under review", "submitted"))
    ] + [
        get(
            lambda w: f"/admin/reviews/review/{Review.objects.filter(article=w.published).last().pk}/workspace/",
            staff(200),
            note="an approved cycle",
        )
    ]
    m["admin/reviews/review/<int:pk>/decide/"] = [
        get(lambda w: f"/admin/reviews/review/{_open_review(w.published)}/decide/", staff(405)),
        post(
            lambda w: f"/admin/reviews/review/{_open_review(w.published)}/decide/",
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"transition": "approve", "state": "under_review"},
            note="an editor approving",
        ),
        post(
            lambda w: f"/admin/reviews/review/{_open_review(w.submitted)}/decide/",
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"transition": "request_changes", "state": "under_review", "comment": "x"},
            note="an editor requesting changes",
        ),
        post(
            lambda w: f"/admin/reviews/review/{_open_review(w.published)}/decide/",
            {"board": 409, "admin": 409},
            data=lambda w: {"transition": "approve", "state": "submitted"},
            note="a decision on a state the review has left",
            unchanged=True,
        ),
    ]
    cancel = lambda w: f"/admin/reviews/schedule/{_schedule(w).pk}/cancel/"  # noqa: E731
    m["admin/reviews/schedule/<int:pk>/cancel/"] = [
        get(cancel, staff(405)),
        post(cancel, {"anon": LOGIN, "editor": 403}, data=lambda w: {"note": "x"}, note="an editor cancelling"),
        post(cancel, {"board": 302, "admin": 302}, data=lambda w: {"note": "Not needed."}),
    ]

    # Comments on the review page (reviews/admin/comments.py): POST-only; staff with a review role
    # comment and reply (302); a thread is resolved by its opener or the board (an editor gets 403);
    # a place the content does not have is refused (400) and an unknown action is 404, nothing changed.
    def add(w):
        return f"/admin/reviews/review/{_open_review(w.published)}/comments/add/"

    def thread(action):
        return lambda w: f"/admin/reviews/review/comments/{w.extra['thread'].pk}/{action}/"

    m["admin/reviews/review/<int:pk>/comments/add/"] = [
        get(add, staff(405)),
        post(add, staff(302), data=lambda w: {"anchor": "summary", "body": "Check the summary"}),
        post(
            add,
            staff(400),
            data=lambda w: {"anchor": "claim:99:0", "body": "Nowhere"},
            note="a place the content does not have",
            unchanged=True,
        ),
    ]
    m["admin/reviews/review/comments/<int:thread>/<str:action>/"] = [
        get(thread("resolve"), staff(405)),
        post(thread("reply"), staff(302), data=lambda w: {"body": "A reply"}),
        post(thread("resolve"), {"anon": LOGIN, "editor": 403, "board": 302, "admin": 302}),
        post(thread("reopen"), staff(302), note="an open thread: refused with a message", unchanged=True),
        post(thread("delete"), staff(404)),
    ]
    # Assigning a stage: POST-only; editors get 403 and nothing changes.
    m["admin/reviews/review/<int:pk>/assign/"] = [
        get(lambda w: f"/admin/reviews/review/{_open_review(w.published)}/assign/", staff(405)),
        post(
            lambda w: f"/admin/reviews/review/{_open_review(w.published)}/assign/",
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {
                "stage": Review.objects.get(pk=_open_review(w.published)).stages.values_list("pk", flat=True).first(),
                "assignee": w.board.pk,
            },
            note="an editor assigning",
            unchanged=True,
        ),
    ]
    # POST-only workflow actions: GET refused; the wrong role gets 403 and nothing changes.
    m["admin/articles/article/<int:pk>/review/"] = [
        get(art("published", "review/"), staff(405)),
        post(
            art("published", "review/"),
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"transition": "approve", "review": _open_review(w.published)},
            note="an editor approving",
        ),
        post(
            art("submitted", "review/"),
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"transition": "request_changes", "review": _open_review(w.submitted), "comment": "x"},
            note="an editor requesting changes",
        ),
        post(
            art("draft", "review/"),
            {"anon": LOGIN, "board": 403},
            data=lambda w: {"transition": "submit"},
            note="a board member submitting",
        ),
        post(
            art("submitted", "review/"),
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"transition": "start_review", "review": _open_review(w.submitted)},
            note="an editor starting a review",
        ),
        post(
            art("submitted", "review/"),
            {"anon": LOGIN, "board": 403},
            data=lambda w: {"transition": "withdraw", "review": _open_review(w.submitted)},
            note="a board member withdrawing an editor's submission",
        ),
    ]
    m["admin/articles/article/<int:pk>/withdraw-from-public/"] = [
        get(art("unsubmitted", "withdraw-from-public/"), staff(405)),
        post(
            art("unsubmitted", "withdraw-from-public/"),
            {"anon": LOGIN, "editor": 403},
            data=lambda w: {"reason": "An editor may not withdraw answers."},
        ),
    ]
    m["admin/articles/article/<int:pk>/history/<int:revision_id>/restore/"] = [
        get(
            lambda w: f"/admin/articles/article/{w.unsubmitted.pk}/history/{w.first_revision(w.unsubmitted)}/restore/",
            staff(405),
        ),
        post(
            lambda w: f"/admin/articles/article/{w.unsubmitted.pk}/history/{w.first_revision(w.unsubmitted)}/restore/",
            {"anon": LOGIN},
        ),
        # locked by its open review: refused with a message, nothing restored
        post(
            lambda w: f"/admin/articles/article/{w.published.pk}/history/{w.first_revision(w.published)}/restore/",
            staff(302),
        ),
    ]

    # -- keeping answers current: recording source events (who maintains the bibliography), resolving
    # their alerts (the board alone) ---------------------------------------------------------------
    record = lambda w: f"/admin/references/reference/{w.reference_uncited.pk}/record-event/"  # noqa: E731
    m["admin/references/reference/<int:pk>/record-event/"] = [
        get(record, staff(200)),
        post(
            record,
            staff(302),
            data=lambda w: {"kind": "retracted", "occurred_on": "2026-01-05", "notice_url": "https://example.org/n"},
        ),
        post(record, staff(200), data=lambda w: {"kind": "retracted"}, note="no date: the form again, nothing written"),
    ]
    resolve = lambda w: f"/admin/reviews/sourcealert/{w.extra['source_alert'].pk}/resolve/"  # noqa: E731
    m["admin/reviews/sourcealert/<int:pk>/resolve/"] = [
        get(resolve, staff(200, editor=403)),
        post(resolve, {"anon": LOGIN, "editor": 403}, data=lambda w: {"comment": "x"}, note="an editor resolving"),
        post(
            resolve,
            {"board": 302, "admin": 302},
            data=lambda w: {"comment": "Re-checked: the retraction does not touch this claim."},
        ),
        post(resolve, {"board": 200, "admin": 200}, data=lambda w: {"comment": " "}, note="no reason given"),
    ]
    # an editor's proposed source event: the board (alone) confirms or rejects it
    confirm = lambda w: f"/admin/reviews/sourceevent/{w.extra['proposal'].pk}/confirm/"  # noqa: E731
    m["admin/reviews/sourceevent/<int:pk>/confirm/"] = [
        get(confirm, staff(200, editor=403)),
        post(confirm, {"anon": LOGIN, "editor": 403}, data=lambda w: {"reason": ""}, note="an editor confirming"),
        post(
            confirm,
            {"board": 302, "admin": 302},
            data=lambda w: {"reason": "Checked.", "notice": w.extra["proposal"].reader_notice()},
        ),
    ]
    reject = lambda w: f"/admin/reviews/sourceevent/{w.extra['proposal'].pk}/reject/"  # noqa: E731
    m["admin/reviews/sourceevent/<int:pk>/reject/"] = [
        get(reject, staff(200, editor=403)),
        post(reject, {"anon": LOGIN, "editor": 403}, data=lambda w: {"reason": "x"}, note="an editor rejecting"),
        post(reject, {"board": 302, "admin": 302}, data=lambda w: {"reason": "Not superseded: a commentary."}),
        post(reject, {"board": 200, "admin": 200}, data=lambda w: {"reason": " "}, note="no reason given"),
    ]

    # -- the API: published answers for everyone; drafts only with a token (a session is not enough) --
    m["api/"] = [api_get(lambda w: "/api/", every(404))]
    m["api/schema/"] = [api_get(lambda w: "/api/schema/", every(200))]
    m["api/docs/"] = [api_get(lambda w: "/api/docs/", every(200))]
    m["api/(?P<rest>.*)$"] = [api_get(lambda w: "/api/no-such-endpoint/", every(404))]
    m["api/answers/"] = [
        api_get(lambda w: "/api/answers/", every(200)),
        api_get(lambda w: "/api/answers/?page=2&page_size=1", every(200)),
    ]
    m["api/answers/<slug>/"] = [
        api_get(lambda w, n=name: f"/api/answers/{getattr(w, n).slug}/", every(code), note=name)
        for name, code in answers.items()
    ]
    draft_body = {"question": "Is a new API draft safe?", "summary": "Not yet known.", "sections": []}
    m["api/drafts/"] = [
        api_get(lambda w: "/api/drafts/", every(405)),
        post(lambda w: "/api/drafts/", every(401), data=lambda w: draft_body, note="no token"),
        post(lambda w: "/api/drafts/", every(401), data=lambda w: draft_body, headers=bearer("revoked_token")),
        post(lambda w: "/api/drafts/", every(403), data=lambda w: draft_body, headers=bearer("no_scope_token")),
        post(lambda w: "/api/drafts/", every(403), data=lambda w: draft_body, headers=bearer("board_token")),
    ]
    for name, code in {"draft": 200, "published": 200, "submitted": 200}.items():
        m.setdefault("api/drafts/<article_id>/", []).append(
            api_get(
                lambda w, n=name: f"/api/drafts/{getattr(w, n).pk}/",
                every(code),
                headers=bearer("api_token"),
                note=name,
            )
        )
    m["api/drafts/<article_id>/"] += [
        api_get(lambda w: f"/api/drafts/{w.draft.pk}/", every(401), note="no token, a staff session is not enough"),
        api_get(lambda w: f"/api/drafts/{w.draft.pk}/", every(401), headers=bearer("revoked_token")),
        api_get(lambda w: f"/api/drafts/{w.draft.pk}/", every(403), headers=bearer("no_scope_token")),
        post(lambda w: f"/api/drafts/{w.draft.pk}/", every(401), data=lambda w: draft_body, method="put"),
        post(
            lambda w: f"/api/drafts/{w.draft.pk}/",
            every(403),
            data=lambda w: draft_body,
            method="put",
            headers=bearer("board_token"),
        ),
    ]
    m["api/drafts/<article_id>/submit/"] = [
        api_get(lambda w: f"/api/drafts/{w.draft.pk}/submit/", every(405), headers=bearer("api_token")),
        post(lambda w: f"/api/drafts/{w.draft.pk}/submit/", every(401), data=lambda w: {}),
        post(
            lambda w: f"/api/drafts/{w.draft.pk}/submit/", every(403), data=lambda w: {}, headers=bearer("board_token")
        ),
    ]
    m["api/drafts/<article_id>/review/"] = [
        api_get(lambda w: f"/api/drafts/{w.published.pk}/review/", every(401)),
        api_get(lambda w: f"/api/drafts/{w.published.pk}/review/", every(200), headers=bearer("api_token")),
        api_get(lambda w: f"/api/drafts/{w.published.pk}/review/", every(200), headers=bearer("board_token")),
        api_get(lambda w: f"/api/drafts/{w.published.pk}/review/", every(403), headers=bearer("no_scope_token")),
    ]

    # -- public pages: the same for everyone ----------------------------------------------------
    m["healthz"] = [get(lambda w: "/healthz", every(200))]
    m["readyz"] = [get(lambda w: "/readyz", every(200))]
    m["feed/"] = [get(lambda w: "/feed/", every(200))]
    m["whats-new/"] = [get(lambda w: "/whats-new/", every(200)), get(lambda w: "/whats-new/?page=9", every(302))]
    m["whats-new/feed/"] = [get(lambda w: "/whats-new/feed/", every(200))]
    m["sitemap.xml"] = [get(lambda w: "/sitemap.xml", every(200))]
    m["sitemap-<slug:section>-<int:page>.xml"] = [
        get(lambda w: "/sitemap-answers-1.xml", every(200)),
        get(lambda w: "/sitemap-answers-2.xml", every(404)),
        get(lambda w: "/sitemap-drafts-1.xml", every(404)),
    ]
    m["robots.txt"] = [get(lambda w: "/robots.txt", every(200))]
    m["editorial-policy/"] = [get(lambda w: "/editorial-policy/", every(200))]
    m["advisory-board/"] = [get(lambda w: "/advisory-board/", every(200))]
    m["evidence-grades/"] = [get(lambda w: "/evidence-grades/", every(200))]
    m["audience/"] = [get(lambda w: "/audience/?choice=patient&next=/articles/is-aspirin-safe/", every(302))]
    m[""] = [get(lambda w: "/", every(200))]
    m["search/"] = [get(lambda w: "/search/?q=safe", every(200)), get(lambda w: "/search/", every(200))]
    m["topics/<slug:slug>/"] = [
        get(lambda w: f"/topics/{w.topic.slug}/", every(200)),
        get(lambda w: "/topics/no-such-topic/", every(404)),
    ]
    m["articles/<slug:slug>/"] = [
        get(lambda w, n=name: f"/articles/{getattr(w, n).slug}/", every(code), note=name)
        for name, code in answers.items()
    ]
    history = answers | {"withdrawn": 200}  # the withdrawn answer's history explains the withdrawal
    m["articles/<slug:slug>/history/"] = [
        get(lambda w, n=name: f"/articles/{getattr(w, n).slug}/history/", every(code), note=name)
        for name, code in history.items()
    ]
    m["articles/<slug:slug>/v/<int:number>/"] = [
        get(lambda w, n=name: f"/articles/{getattr(w, n).slug}/v/1/", every(code), note=name)
        for name, code in history.items()
    ] + [get(lambda w: f"/articles/{w.published.slug}/v/2/", every(404), note="the update under review")]
    m["articles/<slug:slug>/follow-up/"] = [
        get(lambda w: f"/articles/{w.published.slug}/follow-up/", every(405)),
        post(
            lambda w: f"/articles/{w.draft.slug}/follow-up/",
            every(404),
            data=lambda w: {"text": "A question about a draft answer?"},
            note="no questions about unpublished answers",
        ),
        post(
            lambda w: f"/articles/{w.published.slug}/follow-up/",
            every(403),
            data=lambda w: {"text": "A question from another site?"},
            headers={"Sec-Fetch-Site": "cross-site"},
            note="cross-site posts are refused",
        ),
        post(
            lambda w: f"/articles/{w.published.slug}/follow-up/",
            every(302),
            data=lambda w: {"text": "Is it safe with ibuprofen as well?"},
        ),
    ]

    # readers' error reports on a claim: publication number, section, claim (articles/error_reports.py)
    def claim_url(name, number=1, section=1, claim=1):
        return lambda w: f"/articles/{getattr(w, name).slug}/report-error/{number}/{section}/{claim}/"

    report = {"text": "The dose in this claim is wrong.", "website": ""}
    m["articles/<slug:slug>/report-error/<int:number>/<int:section>/<int:claim>/"] = [
        get(claim_url("published"), every(200)),
        get(claim_url("published", section=99), every(404), note="no such claim"),
        get(claim_url("published", number=9), every(404), note="no such version"),
        get(claim_url("draft"), every(404), note="never published"),
        get(claim_url("submitted"), every(404), note="first review open"),
        get(claim_url("withdrawn"), every(410), note="withdrawn"),
        post(claim_url("published"), every(302), data=lambda w: report),
        post(claim_url("draft"), every(404), data=lambda w: report, note="no reports on unpublished answers"),
        post(claim_url("withdrawn"), every(410), data=lambda w: report, note="no reports on withdrawn answers"),
        post(claim_url("published"), every(400), data=lambda w: {"text": ""}, note="empty", unchanged=True),
        post(
            claim_url("published"),
            every(403),
            data=lambda w: report,
            headers={"Sec-Fetch-Site": "cross-site"},
            note="cross-site posts are refused",
        ),
    ]
    m["articles/<slug:slug>/report-error/thanks/"] = [
        get(lambda w, n=name: f"/articles/{getattr(w, n).slug}/report-error/thanks/", every(code), note=name)
        for name, code in {"published": 200, "draft": 404, "submitted": 404, "withdrawn": 404}.items()
    ]
    m["articles/<slug:slug>/follow-up/thanks/"] = [
        get(lambda w, n=name: f"/articles/{getattr(w, n).slug}/follow-up/thanks/", every(code), note=name)
        for name, code in {"published": 200, "draft": 404, "submitted": 404, "withdrawn": 404}.items()
    ] + [
        # ?r= names the reader's question by a signed token (articles/follow_ups.py); a forged one
        # is the plain page, and a draft's or a withdrawn answer's is still a 404
        get(lambda w: f"/articles/{w.published.slug}/follow-up/thanks/?r=forged", every(200), note="forged token"),
        get(lambda w: f"/articles/{w.draft.slug}/follow-up/thanks/?r=forged", every(404), note="draft, token"),
        get(lambda w: f"/articles/{w.withdrawn.slug}/follow-up/thanks/?r=forged", every(404), note="withdrawn, token"),
    ]
    return m


def _all_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.all()


def _version_id(obj):
    from reversion.models import Version

    return Version.objects.get_for_object(obj).order_by("-pk").first().pk


def _open_review(article):
    return Review.objects.open().get(article=article).pk


MATRIX = build_matrix()

# --- walking the URL configuration -------------------------------------------------------------


def _join(prefix, route):
    # as django.urls.resolvers.URLResolver._join_route: the inner "^" is dropped
    return prefix + route.removeprefix("^") if prefix else route


def _key(route, pattern):
    # the app index's pattern lists the admin's apps; name it instead, so its key is stable
    return "admin:app_list" if getattr(pattern, "name", None) == "app_list" else route


def url_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = _join(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        else:
            yield _key(route, pattern), pattern


def test_every_url_pattern_is_classified():
    found = {key for key, _ in url_patterns()}

    unclassified = sorted(found - set(MATRIX))
    stale = sorted(set(MATRIX) - found)

    assert not unclassified, (
        "URL patterns with no row in the authorization matrix (tests/security/test_url_matrix.py): "
        f"{unclassified}. Say who may use each one."
    )
    assert not stale, f"matrix rows for URL patterns that no longer exist: {stale}"
    assert all(MATRIX[key] for key in found), [key for key in found if not MATRIX[key]]


# --- asking every URL as every role --------------------------------------------------------------


def _route_of(path):
    match = resolve(path.split("?")[0])
    if match.url_name == "app_list":
        return "admin:app_list"
    return match.route


def _outcome(response):
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return LOGIN
    return response.status_code


def _ask(world, role, case, path):
    """One request, in a savepoint rolled back afterwards, so every case sees the same world.

    Returns (outcome, body, whether the database changed)."""
    client = Client(raise_request_exception=True)
    with transaction.atomic():
        if role != "anon":
            client.force_login(world.users()[role])
        before = state_fingerprint()
        data = case.data(world) if case.data else {}
        headers = case.headers(world) if callable(case.headers) else case.headers or {}
        if path.startswith("/api/") and case.method != "get":
            response = getattr(client, case.method)(path, data, content_type="application/json", headers=headers)
        else:
            response = getattr(client, case.method)(path, data, headers=headers)
        changed = state_fingerprint() != before
        body = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    return _outcome(response), body.decode("utf-8", "replace"), changed


def _extra_world(world):
    from django.contrib.auth.models import Group

    from api.models import ApiToken, Scope
    from api.services import api_token_create

    world.extra["group"] = Group.objects.get(name="Editors")
    from reviews.comments import comment_thread_open

    # a comment thread on the answer under review, its body a marker no reader may ever see
    world.extra["thread"] = comment_thread_open(
        review=Review.objects.open().get(article=world.published),
        anchor="summary",
        body=f"{MARKERS['review_comment']} on the summary",
        by=world.board,
    )
    tokens = {
        "api_token": (world.editor, [Scope.DRAFTS_WRITE, Scope.REVIEWS_READ]),
        "board_token": (world.board, [Scope.REVIEWS_READ]),
        "no_scope_token": (world.editor, []),
        "revoked_token": (world.editor, [Scope.DRAFTS_WRITE, Scope.REVIEWS_READ]),
    }
    for name, (owner, scopes) in tokens.items():
        token = ApiToken(owner=owner, name=name, scopes=scopes)
        world.extra[f"{name}_secret"] = api_token_create(token=token)
        world.extra[name] = token
    world.extra["revoked_token"].revoke()

    from datetime import date

    from reviews.source_events import reference_record_event

    recorded = reference_record_event(
        reference=world.reference_cited,
        kind="retracted",
        occurred_on=date(2026, 1, 5),
        notice_url="https://example.org/retraction",
        by=world.board,
        notify=False,
    )
    assert recorded.alerts, "the cited reference should alert the published answer"
    world.extra["source_event"] = recorded.event
    world.extra["source_alert"] = recorded.alerts[0]
    world.extra["proposal"] = reference_record_event(
        reference=world.reference_cited,
        kind="superseded",
        occurred_on=date(2026, 1, 6),
        replacement=world.reference_uncited,
        by=world.editor,
        notify=False,
    ).event


def test_every_url_answers_each_role_as_the_matrix_intends(world, settings):
    _extra_world(world)
    # every role posts error reports from the same address: the rate limit is tested on its own
    settings.ORACLE_ERROR_REPORT_RATE_LIMIT = 1000
    problems = []

    for key, cases in MATRIX.items():
        for case in cases:
            path = case.path(world)
            assert _route_of(path) == key, f"{path} resolves to {_route_of(path)}, not to the row {key}"
            for role, expected in case.expect.items():
                outcome, body, changed = _ask(world, role, case, path)
                label = f"{case.method.upper()} {path} as {role}{f' ({case.note})' if case.note else ''}"
                if outcome != expected:
                    problems.append(f"{label}: got {outcome}, expected {expected}")
                refused = outcome in (LOGIN, 403, 404, 405) or case.method == "get" or case.unchanged
                if refused and changed:
                    problems.append(f"{label}: the database changed although the request was refused or a GET")
                headers = case.headers(world) if callable(case.headers) else case.headers or {}
                public = not path.startswith(("/admin/", "/_nested_admin/"))
                # an API token's owner reads drafts by design; without a token, nothing unapproved
                leaked = find_markers(body) if (public or role == "anon") and "Authorization" not in headers else []
                if leaked:
                    problems.append(f"{label}: unapproved text in the response: {leaked}")

    assert not problems, "\n".join(problems)


# --- nothing unapproved reaches a reader ------------------------------------------------------


def _links(html):
    return re.findall(r'(?:href|src)="(/[^"#]*)', html)


def _reader_pages(world):
    """Every public address a reader can reach or guess: a crawl from the home page plus the
    pages no link leads to (searches for the markers, unknown and withdrawn answers, permalinks)."""
    seeds = [
        "/",
        "/feed/",
        "/whats-new/",
        "/whats-new/feed/",
        "/sitemap.xml",
        "/sitemap-answers-1.xml",
        "/robots.txt",
        "/editorial-policy/",
        "/advisory-board/",
        "/evidence-grades/",
    ]
    seeds += [f"/search/?q={marker}" for marker in MARKERS.values()]
    seeds += ["/search/?q=safe", "/search/?q=claim", "/search/?q=aspirin+summary", "/search/?q=safe&page=2"]
    for article in (world.published, world.unsubmitted, world.draft, world.submitted, world.withdrawn, world.changes):
        seeds += [
            f"/articles/{article.slug}/{suffix}"
            for suffix in ("", "history/", "follow-up/thanks/", "report-error/thanks/", "report-error/1/1/1/")
        ]
        seeds += [f"/articles/{article.slug}/v/{n}/" for n in (1, 2, 3)]
        seeds += [f"/articles/{article.slug}/?audience={a}" for a in ("patient", "professional", "student")]
    seeds += [f"/topics/{world.topic.slug}/", "/topics/pain/?page=2", "/no-such-page/", "/articles/no-such-answer/"]
    seeds += ["/api/", "/api/answers/", "/api/answers/?page=2&page_size=2", "/api/schema/", "/api/nothing/"]
    for article in (world.published, world.unsubmitted, world.draft, world.submitted, world.withdrawn, world.changes):
        seeds += [f"/api/answers/{article.slug}/", f"/api/drafts/{article.pk}/", f"/api/drafts/{article.pk}/review/"]
    return seeds


def _crawl(client, seeds, limit=300):
    seen, queue, pages = set(), list(seeds), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(("/admin/", "/static/", "/_nested_admin/")):
            continue
        seen.add(path)
        response = client.get(path)
        body = response.content.decode("utf-8", "replace")
        pages[path] = (response.status_code, body)
        queue += [link for link in _links(body) if link not in seen]
    return pages


def test_no_unapproved_text_reaches_anonymous_readers(world, settings):
    settings.ORACLE_SHOW_PENDING = False
    client = Client(raise_request_exception=True)

    pages = _crawl(client, _reader_pages(world))
    again = _crawl(client, list(pages))  # the same pages from the page cache

    assert len(pages) > 60
    for path, (status, body) in [*pages.items(), *again.items()]:
        assert status < 500, path
        query = parse_qs(urlsplit(path).query).get("q", [""])[0]
        if query in MARKERS.values():
            # the page repeats the reader's own words; what matters is that nothing matched
            assert "No reviewed answer matches" in body, path
            body = re.sub(re.escape(query), "", body, flags=re.IGNORECASE)
        assert not find_markers(body), f"{path} ({status}) shows unapproved text: {find_markers(body)}"
    assert pages["/articles/is-tramadol-safe/"][0] == 404  # first review still open
    assert pages["/articles/is-baclofen-safe/"][0] == 410


def test_static_answer_files_hold_only_approved_text(world, settings):
    from pathlib import Path

    files = list(Path(settings.ORACLE_PUBLISH_DIR).rglob("*.html"))

    assert files, "no static answer file was written"
    for file in files:
        assert not find_markers(file.read_text()), file


def test_staff_previews_show_the_planted_text(world):
    """The control: the markers are really in the drafts, so their absence above means something."""
    client = Client()
    client.force_login(world.editor)

    preview = client.get(f"/admin/articles/article/{world.published.pk}/preview/").content.decode()
    review = Review.objects.open().get(article=world.published)
    pinned = client.get(f"/admin/reviews/review/{review.pk}/preview/").content.decode()

    assert {"pending_update_summary", "pending_update_claim"} <= set(find_markers(preview))
    assert {"pending_update_summary", "pending_update_claim"} <= set(find_markers(pinned))


def test_pending_answers_show_only_when_the_setting_is_on(world, settings):
    settings.ORACLE_SHOW_PENDING = True
    client = Client(raise_request_exception=True)

    pending = client.get(f"/articles/{world.submitted.slug}/").content.decode()
    published = client.get(f"/articles/{world.published.slug}/").content.decode()

    assert "submitted_summary" in find_markers(pending)
    # an update under review of a published answer is never shown, whatever the setting
    assert find_markers(published) == []


# --- bugs found here once, kept as tests ------------------------------------------------


def test_follow_up_pages_show_the_published_question_not_the_pending_one(world):
    client = Client()
    thanks = client.get(f"/articles/{world.published.slug}/follow-up/thanks/").content.decode()
    refused = client.post(
        f"/articles/{world.published.slug}/follow-up/", {"text": "short"}, headers={"Sec-Fetch-Site": "cross-site"}
    ).content.decode()

    assert find_markers(thanks) == []
    assert find_markers(refused) == []


def test_a_deleted_draft_article_can_be_recovered(world):
    client = Client()
    client.force_login(world.editor)

    response = client.get(f"/admin/articles/article/recover/{world.deleted_article_version.pk}/")

    assert response.status_code == 200
