"""Readers' error reports on claims: the link beside each claim, the form's refusals, the frozen
claim, the triage (permissions, resolution, trail), due dates, and nothing shown to readers."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from articles.error_reports import (
    ErrorReportRefused,
    error_report_accept,
    error_report_fix,
    error_report_reject,
)
from articles.models import Article, Claim, ErrorReport, ErrorReportEvent, Publication
from articles.publishing import article_withdraw_from_public
from tests.helpers import make_article, publish_directly

pytestmark = pytest.mark.django_db

SLUG = "is-naproxen-safe"


@pytest.fixture
def answer(db):
    article = make_article(question="Is naproxen safe?", slug=SLUG, sections=2, claims_per_section=3)
    publish_directly(article)
    return article


def url(number=1, section=2, claim=3):
    return f"/articles/{SLUG}/report-error/{number}/{section}/{claim}/"


def report(client, path=None, **data):
    fields = {"text": "The dose given here is twice the licensed one.", "source": "", "email": "", "website": ""}
    return client.post(path or url(), {**fields, **data})


# --- the answer page ---------------------------------------------------------------------------


def test_each_claim_has_a_static_report_link_and_the_page_stays_at_two_queries(
    client, answer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        html = client.get(f"/articles/{SLUG}/").content.decode()

    links = re.findall(r'<a class="claim-report" href="([^"]+)"', html)
    assert links == [url(1, s, c) for s in (1, 2) for c in (1, 2, 3)]
    assert 'Report a problem<span class="visually-hidden"> with this claim (“Heading 2”, claim 3)</span>' in html
    assert html.count('<script src="/static/articles/error_reports.js" defer></script>') == 1
    # the link names the publication and a position, not the working copy's row (which edits replace)
    assert str(Claim.objects.filter(section__article=answer).last().pk) not in links[-1].split("/")[-4:]


def test_old_versions_and_previews_have_no_report_links(client, answer):
    answer.summary = answer.summary + " Updated."
    answer.save()
    publish_directly(answer)

    assert 'class="claim-report"' not in client.get(f"/articles/{SLUG}/v/1/").content.decode()
    assert url(2, 1, 1) in client.get(f"/articles/{SLUG}/").content.decode()


# --- the form ----------------------------------------------------------------------------------


def test_the_form_shows_the_claim_as_published_not_the_working_copy(client, answer):
    Claim.objects.filter(section__article=answer, text__startswith="Claim 2.3").update(text="Edited since")

    response = client.get(url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Claim 2.3" in page and "Edited since" not in page
    assert "Heading 2" in page and "Is naproxen safe?" in page
    assert "no-store" in response["Cache-Control"]


def test_a_report_freezes_the_claim_as_published_and_is_due_by_the_service_level(client, answer, settings):
    settings.ORACLE_ERROR_REPORT_SLA_DAYS = 5

    response = report(client, source="https://www.example.org/study", email="reader@example.org")

    assert response.status_code == 302
    assert response["Location"] == f"/articles/{SLUG}/report-error/thanks/"
    stored = ErrorReport.objects.get()
    assert stored.publication == answer.publications.get(number=1)
    assert (stored.section_number, stored.claim_number, stored.section_heading) == (2, 3, "Heading 2")
    assert stored.claim_text.startswith("Claim 2.3 [@")
    assert stored.text == "The dose given here is twice the licensed one."
    assert (stored.source, stored.email, stored.state) == ("https://www.example.org/study", "reader@example.org", "new")
    assert stored.due_on == timezone.localdate() + datetime.timedelta(days=5)
    assert list(stored.events.values_list("action", "by")) == [("received", None)]

    Claim.objects.filter(section__article=answer).update(text="Rewritten")
    stored.refresh_from_db()
    assert stored.claim_text.startswith("Claim 2.3")

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "we have your report" in thanks.content.decode()
    assert "twice the licensed" not in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "Please say what is wrong with this claim."),
        ({"text": "   wrong  "}, "at least 10 characters"),
        ({"text": "\u200b" * 30}, "at least 10 characters"),
        ({"text": "x" * 2001}, "under 2000 characters"),
        ({"website": "http://spam.example"}, "looks automated"),
        ({"source": "https://not a web address"}, "That web address does not look right"),
        ({"source": "javascript:alert(1)"}, "Only web addresses starting with http:// or https://"),
        ({"source": "x" * 501}, "under 500 characters"),
        ({"source": "www.example.org/" + "x" * 480}, "under 500 characters"),  # 496 typed, 504 with "https://"
        ({"email": "not-an-email"}, "That email address does not look right"),
    ],
)
def test_every_refusal_says_why_and_stores_nothing(client, answer, data, message):
    response = report(client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "was not saved" in response.content.decode()
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    ("source", "stored"),
    [
        (
            "Smith J, et al. Naproxen dosing. Lancet 2020;395:1-10",
            "Smith J, et al. Naproxen dosing. Lancet 2020;395:1-10",
        ),
        ("doi:10.1000/xyz123", "doi:10.1000/xyz123"),
        ("www.example.org/guideline", "https://www.example.org/guideline"),
    ],
)
def test_a_source_may_be_citation_text_or_a_web_address(client, answer, source, stored):
    assert report(client, source=source).status_code == 302
    assert ErrorReport.objects.get().source == stored


def test_the_refused_form_keeps_what_the_reader_typed(client, answer):
    page = report(client, text="The dose is wrong here", email="bad@").content.decode()

    assert "The dose is wrong here" in page


def test_rate_limit_per_client_is_429_with_the_reason_and_stores_nothing_more(client, answer, settings):
    settings.ORACLE_ERROR_REPORT_RATE_LIMIT = 2
    assert report(client).status_code == 302
    assert report(client).status_code == 302

    response = report(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    page = response.content.decode()
    assert "You have sent 2 reports in the past hour" in page and "Your report was not saved." in page
    assert "try again in an hour" in page
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert ErrorReport.objects.count() == 2
    assert report(Client(REMOTE_ADDR="10.9.8.7")).status_code == 302


def test_cross_site_posts_are_refused(client, answer):
    response = client.post(url(), {"text": "The dose given here is wrong."}, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert not ErrorReport.objects.exists()


def test_a_withdrawn_answer_cannot_be_reported(client, answer, board_member):
    article_withdraw_from_public(article=answer, by=board_member, reason="Outdated guidance.")

    for response in (client.get(url()), report(client)):
        assert response.status_code == 410
        assert "withdrawn" in response.content.decode()
    assert client.get(f"/articles/{SLUG}/report-error/thanks/").status_code == 404
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize("path", [url(1, 3, 1), url(1, 1, 4), url(1, 0, 1), url(9, 1, 1)])
def test_an_unknown_claim_or_version_is_404_and_stores_nothing(client, answer, path):
    assert client.get(path).status_code == 404
    assert report(client, path).status_code == 404
    assert not ErrorReport.objects.exists()


def test_an_unpublished_answer_is_404(client, db):
    make_article(slug="a-draft")

    assert client.get("/articles/a-draft/report-error/1/1/1/").status_code == 404
    assert report(client, "/articles/a-draft/report-error/1/1/1/").status_code == 404
    assert not ErrorReport.objects.exists()


def test_a_link_from_an_earlier_version_finds_the_claim_in_the_current_one(client, answer):
    first = Claim.objects.get(section__article=answer, text__startswith="Claim 1.1")
    first.delete()  # everything after it moves up one place
    publish_directly(answer)

    assert client.get(url(1, 1, 3)).headers["Location"] == url(2, 1, 2)
    assert report(client, url(1, 1, 3)).status_code == 302
    stored = ErrorReport.objects.get()
    assert (stored.publication.number, stored.section_number, stored.claim_number) == (2, 1, 2)
    assert stored.claim_text.startswith("Claim 1.3")


def test_a_claim_changed_since_the_reader_opened_the_page_is_410(client, answer):
    Claim.objects.filter(section__article=answer, text__startswith="Claim 2.3").update(text="Corrected claim")
    publish_directly(answer)

    response = report(client, url(1, 2, 3))

    assert response.status_code == 410
    assert "changed or removed in an update" in response.content.decode()
    assert not ErrorReport.objects.exists()


# --- triage ------------------------------------------------------------------------------------


@pytest.fixture
def new_report(client, answer):
    report(client)
    return ErrorReport.objects.get()


def test_the_board_accepts_then_marks_fixed_with_the_fixing_publication(new_report, board_member, answer):
    error_report_accept(report=new_report, by=board_member)
    fixing = publish_directly(answer)

    fixed = error_report_fix(report=new_report, by=board_member, resolution="Dose corrected.", fixed_in=fixing)

    fixed.refresh_from_db()
    assert (fixed.state, fixed.resolution, fixed.resolved_by, fixed.fixed_in) == (
        "fixed",
        "Dose corrected.",
        board_member,
        fixing,
    )
    assert fixed.resolved_at is not None
    assert list(fixed.events.values_list("action", "note")) == [
        ("received", ""),
        ("accepted", ""),
        ("fixed", "Dose corrected."),
    ]


@pytest.mark.parametrize("step", [error_report_reject, error_report_fix])
def test_rejecting_or_fixing_needs_a_resolution(new_report, board_member, step):
    with pytest.raises(ErrorReportRefused, match="Write the resolution"):
        step(report=new_report, by=board_member, resolution="  ")

    new_report.refresh_from_db()
    assert new_report.state == "new" and new_report.events.count() == 1


def test_a_closed_report_cannot_be_decided_again(new_report, board_member):
    error_report_reject(report=new_report, by=board_member, resolution="The claim matches the 2024 label.")

    with pytest.raises(ErrorReportRefused, match="rejected"):
        error_report_accept(report=new_report, by=board_member)
    with pytest.raises(ErrorReportRefused):
        error_report_fix(report=new_report, by=board_member, resolution="x")


def test_the_fixing_publication_must_be_a_later_version_of_the_same_answer(new_report, board_member, answer):
    with pytest.raises(ErrorReportRefused, match="later version"):
        error_report_fix(report=new_report, by=board_member, resolution="Done.", fixed_in=new_report.publication)


def test_editors_may_not_triage(new_report, editor):
    with pytest.raises(PermissionDenied):
        error_report_accept(report=new_report, by=editor)
    with pytest.raises(PermissionDenied):
        error_report_reject(report=new_report, by=editor, resolution="No.")


def test_the_trail_is_append_only(new_report):
    event = new_report.events.get()
    event.note = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        ErrorReportEvent.objects.all().delete()


def test_overdue_reports_are_the_open_ones_past_their_due_date(new_report, board_member, client):
    ErrorReport.objects.filter(pk=new_report.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert list(ErrorReport.objects.overdue()) == [new_report]

    error_report_reject(report=new_report, by=board_member, resolution="The claim stands.")

    assert not ErrorReport.objects.overdue().exists()


# --- the admin -----------------------------------------------------------------------------------


def admin_url(report_, action=""):
    return f"/admin/articles/errorreport/{report_.pk}/{action + '/' if action else 'change/'}"


def test_the_queue_shows_open_reports_by_default_and_filters_overdue(client, answer, board_member):
    for text in ("Open report about the dose.", "Closed report about the dose."):
        report(client, text=text)
    closed = ErrorReport.objects.get(text__startswith="Closed")
    error_report_reject(report=closed, by=board_member, resolution="Stands.")
    late = ErrorReport.objects.get(text__startswith="Open")
    ErrorReport.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(board_member)

    default = client.get("/admin/articles/errorreport/").content.decode()
    assert f"/admin/articles/errorreport/{late.pk}/change/" in default
    assert f"/admin/articles/errorreport/{closed.pk}/change/" not in default
    assert "Claim 2.3" in default and "Is naproxen safe?" in default
    assert "2 days overdue" in default
    everything = client.get("/admin/articles/errorreport/?state=all").content.decode()
    assert f"/admin/articles/errorreport/{closed.pk}/change/" in everything
    overdue = client.get("/admin/articles/errorreport/?overdue=yes&state=all").content.decode()
    assert f"/admin/articles/errorreport/{late.pk}/change/" in overdue
    assert f"/admin/articles/errorreport/{closed.pk}/change/" not in overdue


def test_the_change_page_is_read_only_with_the_decisions_as_posts(client, new_report, board_member):
    client.force_login(board_member)

    page = client.get(admin_url(new_report)).content.decode()

    assert "The dose given here is twice the licensed one." in page
    assert 'name="text"' not in page and 'name="claim_text"' not in page
    for action in ("accept", "fix", "reject"):
        assert f'action="/admin/articles/errorreport/{new_report.pk}/{action}/"' in page
    forged_edit = client.post(admin_url(new_report), {"text": "rewritten", "state": "fixed"})
    assert forged_edit.status_code == 403
    new_report.refresh_from_db()
    assert new_report.text.startswith("The dose") and new_report.state == "new"


def test_forged_decisions_by_editors_are_403_and_change_nothing(client, new_report, editor):
    client.force_login(editor)

    assert 'action="/admin/articles/errorreport/' not in client.get(admin_url(new_report)).content.decode()
    for action, data in (("accept", {}), ("reject", {"reject-resolution": "No."}), ("fix", {"fix-resolution": "Ok"})):
        assert client.post(admin_url(new_report, action), data).status_code == 403
    assert client.get(admin_url(new_report, "accept")).status_code == 405
    new_report.refresh_from_db()
    assert new_report.state == "new" and new_report.events.count() == 1


def test_an_admin_rejection_without_a_resolution_is_refused_and_kept_open(client, new_report, board_member):
    client.force_login(board_member)

    response = client.post(admin_url(new_report, "reject"), {"reject-resolution": " "})

    assert response.status_code == 400
    assert "Write the resolution" in response.content.decode()
    new_report.refresh_from_db()
    assert new_report.state == "new"


def test_the_board_decides_in_the_admin_and_an_accepted_report_opens_a_draft_update(
    client, new_report, board_member, answer
):
    client.force_login(board_member)

    assert client.post(admin_url(new_report, "accept")).status_code == 302
    opened = client.post(admin_url(new_report, "open-update"))

    assert opened.status_code == 302
    assert opened["Location"] == f"/admin/articles/article/{answer.pk}/change/#error-report-{new_report.pk}"
    form = client.get(opened["Location"]).content.decode()
    assert "Readers’ error reports: 1 open" in form and f'id="error-report-{new_report.pk}"' in form
    assert "articles/admin/error_reports.css" in form
    fixing = publish_directly(answer)
    assert f'<option value="{fixing.pk}" selected>' in client.get(admin_url(new_report)).content.decode()
    done = client.post(admin_url(new_report, "fix"), {"fix-resolution": "Dose corrected.", "fix-fixed_in": fixing.pk})
    assert done.status_code == 302
    new_report.refresh_from_db()
    assert (new_report.state, new_report.fixed_in) == ("fixed", fixing)
    assert list(new_report.events.values_list("action", flat=True)) == [
        "received",
        "accepted",
        "update_opened",
        "fixed",
    ]
    page = client.get(admin_url(new_report)).content.decode()
    assert "Version 2" in page and "Dose corrected." in page
    assert "Readers’ error reports" not in client.get(f"/admin/articles/article/{answer.pk}/change/").content.decode()


# --- never shown to readers ----------------------------------------------------------------------


def test_reports_never_reach_reader_pages_the_api_or_feeds(client, answer):
    report(client, text="SECRET-REPORT-TEXT about this claim", email="hidden-reader@example.org")
    pages = [
        f"/articles/{SLUG}/",
        f"/articles/{SLUG}/history/",
        f"/articles/{SLUG}/v/1/",
        f"/api/answers/{SLUG}/",
        "/api/answers/",
        "/feed/",
        "/whats-new/feed/",
        "/sitemap.xml",
    ]
    for path in pages:
        body = Client().get(path).content.decode()
        assert "SECRET-REPORT-TEXT" not in body, path
        assert "hidden-reader@example.org" not in body, path
    # search indexes publications only: the report's words match nothing
    assert "No reviewed answer matches" in Client().get("/search/?q=SECRET-REPORT-TEXT").content.decode()
    assert Publication.objects.count() == 1


def test_an_editor_opens_a_draft_update_from_an_accepted_report_but_not_from_a_new_one(
    client, new_report, editor, board_member, answer
):
    client.force_login(editor)
    assert client.post(admin_url(new_report, "open-update")).status_code == 409

    error_report_accept(report=new_report, by=board_member)
    page = client.get(admin_url(new_report)).content.decode()
    assert "Open a draft update of the answer" in page and "/accept/" not in page
    opened = client.post(admin_url(new_report, "open-update"))

    assert opened.status_code == 302
    assert list(new_report.events.values_list("action", "by")) == [
        ("received", None),
        ("accepted", board_member.pk),
        ("update_opened", editor.pk),
    ]


def test_no_update_is_opened_while_the_answer_is_in_review(client, new_report, editor, board_member, answer):
    from reviews.services import review_submit

    error_report_accept(report=new_report, by=board_member)
    review_submit(article=Article.objects.get(pk=new_report.article_id), by=editor)
    client.force_login(editor)

    refused = client.post(admin_url(new_report, "open-update"))

    assert refused.status_code == 409
    assert "in review now" in refused.content.decode()
    assert not new_report.events.filter(action="update_opened").exists()


def test_the_board_home_counts_new_and_overdue_reports(client, answer, board_member, editor):
    for text in ("First report about the dose.", "Second report about the dose."):
        report(client, text=text)
    late = ErrorReport.objects.get(text__startswith="First")
    ErrorReport.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    error_report_accept(report=late, by=board_member)
    client.force_login(board_member)

    page = client.get("/admin/").content.decode()

    block = re.search(r'<h3 id="board-home-error-reports">(.*?)</section>', page, re.S).group(1)
    assert "Error reports: 1 new, 1 overdue (2)" in block
    assert f"/admin/articles/errorreport/{late.pk}/change/" in block and "was due" in block
    client.force_login(editor)
    assert "board-home-error-reports" not in client.get("/admin/").content.decode()


def test_refreshing_the_stored_pages_gives_existing_answers_the_links(client, answer):
    from django.core.management import call_command

    from tests.helpers import without_report_links

    publication = answer.publications.get()
    Publication.objects.filter(pk=publication.pk).update(page_html=without_report_links(publication.page_html))
    assert 'class="claim-report"' not in Publication.objects.get(pk=publication.pk).page_html

    call_command("refresh_published_pages", "--quiet-progress")

    assert Publication.objects.get(pk=publication.pk).page_html.count('class="claim-report"') == 6
    assert client.get(f"/articles/{SLUG}/").content.decode().count('class="claim-report"') == 6


def test_the_board_is_emailed_about_a_new_report_without_the_readers_address(
    client, answer, board_member, editor, settings
):
    from tests.helpers import effects, run_effects

    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    report(client, text="The dose given here is twice the licensed one.", email="private-reader@example.org")
    run_effects()  # the report's effect decides to email now (the first report after a quiet spell)

    sent = [e for e in effects() if "error reported" in e.label]
    assert [e.args["to"] for e in sent] == [board_member.email]
    body = sent[0].args["body"]
    assert "The dose given here is twice the licensed one." in body and "Claim 2.3" in body
    assert "private-reader@example.org" not in body + sent[0].args["subject"]
    assert sent[0].args["subject"] == "Error reported by a reader: Is naproxen safe?"
