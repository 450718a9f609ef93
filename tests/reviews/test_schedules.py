"""Scheduled publishing and withdrawal: nothing public before the minute, live after the job,
once whatever runs it, cancellable by the board, and every step in the schedules' audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Publication, Withdrawal
from core.tasks import run_periodic
from reviews.disclosures import NO_CONFLICT
from reviews.models import Review, Schedule, ScheduleEvent
from reviews.schedules import (
    parse_due,
    schedule_cancel,
    schedule_execute,
    schedule_withdrawal,
    schedules_run_due,
)
from reviews.services import ReviewRefused, review_approve, review_start, review_submit
from tests.helpers import CHANGE_FOR_READERS, UserFactory, make_article, run_effects

pytestmark = pytest.mark.django_db

IN_AN_HOUR = timezone.now() + datetime.timedelta(hours=1)


def local_minute(moment) -> str:
    """What a browser's date-and-time field sends: the site's local time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def approve_on(review, by, when, **kwargs):
    return review_approve(review=review, by=by, declaration=NO_CONFLICT, publish_on=local_minute(when), **kwargs)


def public_everywhere(client, slug) -> dict:
    return {
        "page": client.get(f"/articles/{slug}/").status_code,
        "api": client.get(reverse("api:answer", kwargs={"slug": slug})).status_code,
        "feed": slug in client.get("/feed/").content.decode(),
        "sitemap": slug in client.get("/sitemap.xml").content.decode(),
        "list": slug in client.get("/api/answers/").content.decode(),
    }


NOT_PUBLIC = {"page": 404, "api": 404, "feed": False, "sitemap": False, "list": False}
PUBLIC = {"page": 200, "api": 200, "feed": True, "sitemap": True, "list": True}


# --- the minute ------------------------------------------------------------------------------


def test_a_minute_in_the_past_is_refused_with_a_clear_error(under_review, board_member):
    with pytest.raises(ReviewRefused) as refused:
        approve_on(under_review, board_member, timezone.now() - datetime.timedelta(minutes=5))
    assert "“Publish on” must be in the future" in str(refused.value)
    assert not under_review.approvals.exists() and not Schedule.objects.exists()
    assert Review.objects.get(pk=under_review.pk).state == "under_review"


@pytest.mark.parametrize("value", ["tomorrow", "2027-13-01T10:00", "2027-02-30T10:00"])
def test_a_value_that_is_not_a_date_and_time_is_refused(value):
    due, problems = parse_due(value)
    assert due is None and problems == ["“Publish on”: enter a date and a time, e.g. 2027-03-01 09:00."]


def test_the_minute_is_read_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        due, problems = parse_due("2027-07-01T09:30", now=timezone.now())
    assert problems == []
    assert due == datetime.datetime(2027, 7, 1, 7, 30, tzinfo=datetime.UTC)


# --- a first publication ---------------------------------------------------------------------


def test_nothing_is_public_before_the_minute_and_everything_after_the_job(client, under_review, board_member):
    review = approve_on(under_review, board_member, IN_AN_HOUR)
    schedule = Schedule.objects.get()
    assert review.state == "approved" and review.publication_id is None
    assert schedule.is_pending and schedule.review_id == review.pk
    assert not Publication.objects.exists()
    slug = review.article.slug
    assert public_everywhere(client, slug) == NOT_PUBLIC

    assert schedules_run_due() == 0  # not yet
    assert public_everywhere(client, slug) == NOT_PUBLIC

    assert schedules_run_due(now=schedule.due_at) == 1
    publication = Publication.objects.get()
    assert publication.content == review.content  # the reviewed content, frozen at submission
    assert publication.reviewed_by[0]["conflicts"] == {"declared": NO_CONFLICT}
    assert Review.objects.get(pk=review.pk).publication == publication
    assert public_everywhere(client, slug) == PUBLIC
    schedule.refresh_from_db()
    assert schedule.state == "done" and schedule.publication == publication
    assert [e.action for e in schedule.events.all()] == ["created", "done"]


def test_two_runs_publish_it_once(under_review, board_member):
    approve_on(under_review, board_member, IN_AN_HOUR)
    later = IN_AN_HOUR + datetime.timedelta(minutes=5)
    assert schedules_run_due(now=later) == 1
    assert schedules_run_due(now=later) == 0
    schedule = Schedule.objects.get()
    assert schedule_execute(schedule_id=schedule.pk, now=later) is False
    assert Publication.objects.count() == 1
    assert ScheduleEvent.objects.filter(action="done").count() == 1


def test_the_periodic_job_runs_every_minute_through_the_worker(under_review, board_member, settings):
    assert settings.ORACLE_PERIODIC_JOBS["run_schedules"] == {
        "effect": "reviews.schedules.schedules_run_due",
        "every": 60,
    }
    review = review_approve(
        review=under_review,
        by=board_member,
        declaration=NO_CONFLICT,
        publish_on=timezone.now() + datetime.timedelta(minutes=2),
    )
    Schedule.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))  # the minute has come
    assert "run_schedules" in run_periodic()
    run_effects()
    assert Review.objects.get(pk=review.pk).publication.number == 1


def test_only_the_approval_that_completes_the_review_may_schedule_it(under_review, board_member, settings):
    settings.ORACLE_REQUIRED_APPROVALS = 2
    with pytest.raises(ReviewRefused) as refused:
        approve_on(under_review, board_member, IN_AN_HOUR)
    assert "Only the approval that completes the review schedules its publication" in str(refused.value)
    assert not under_review.approvals.exists() and not Schedule.objects.exists()


def test_a_new_submission_waits_for_the_scheduled_publication(under_review, board_member, editor):
    review = approve_on(under_review, board_member, IN_AN_HOUR)
    with pytest.raises(ReviewRefused) as refused:
        review_submit(article=review.article, by=editor)
    assert "scheduled to be published on" in str(refused.value)


# --- an update: readers keep the previous version --------------------------------------------


@pytest.fixture
def published(approved):
    return approved


def test_readers_keep_the_previous_version_until_the_minute(client, published, editor, board_member):
    published.question = "Is ibuprofen safe for adults?"
    published.save()
    review = review_start(review=review_submit(article=published, by=editor), by=board_member)
    approve_on(review, board_member, IN_AN_HOUR)
    page = client.get(f"/articles/{published.slug}/").content.decode()
    assert "Is ibuprofen safe?" in page and "for adults" not in page
    assert Article.objects.get(pk=published.pk).current_publication.number == 1

    schedules_run_due(now=IN_AN_HOUR)
    page = client.get(f"/articles/{published.slug}/").content.decode()
    assert "Is ibuprofen safe for adults?" in page
    assert Article.objects.get(pk=published.pk).current_publication.number == 2


def test_a_schedule_overtaken_by_a_newer_publication_fails_instead_of_replacing_it(published, editor, board_member):
    published.question = "Is ibuprofen safe for adults?"
    published.save()
    review = review_start(review=review_submit(article=published, by=editor), by=board_member)
    approve_on(review, board_member, IN_AN_HOUR)
    # the importer (or any other path) publishes a newer version meanwhile
    from articles.publishing import article_publish

    newer = article_publish(article=published, origin=Publication.Origin.APPROVAL)
    schedules_run_due(now=IN_AN_HOUR)
    schedule = Schedule.objects.get()
    assert schedule.state == "failed" and "was published after this schedule was made" in schedule.error
    assert Article.objects.get(pk=published.pk).current_publication == newer
    assert [e.action for e in schedule.events.all()] == ["created", "failed"]


def test_a_withdrawal_after_the_schedule_was_made_is_never_undone_by_it(client, published, editor, board_member):
    from articles.publishing import article_withdraw_from_public

    published.question = "Is ibuprofen safe for adults?"
    published.save()
    review = review_start(review=review_submit(article=published, by=editor), by=board_member)
    approve_on(review, board_member, IN_AN_HOUR)
    article_withdraw_from_public(article=published, by=board_member, reason="Safety warning under assessment")
    schedules_run_due(now=IN_AN_HOUR)
    schedule = Schedule.objects.get()
    assert schedule.state == "failed" and "withdrawn from public view after this schedule" in schedule.error
    assert Article.objects.get(pk=published.pk).current_publication is None
    assert client.get(f"/articles/{published.slug}/").status_code == 410
    assert Publication.objects.filter(article=published).count() == 1


# --- cancelling ------------------------------------------------------------------------------


def test_the_board_cancels_and_nothing_is_published(client, under_review, board_member, editor):
    approve_on(under_review, board_member, IN_AN_HOUR)
    schedule = Schedule.objects.get()
    with pytest.raises(PermissionDenied):
        schedule_cancel(schedule=schedule, by=editor)
    schedule_cancel(schedule=schedule, by=board_member, note="Label change expected")
    schedules_run_due(now=IN_AN_HOUR)
    assert not Publication.objects.exists()
    schedule.refresh_from_db()
    assert schedule.state == "cancelled" and schedule.closed_by == board_member
    assert [(e.action, e.note) for e in schedule.events.all()][-1] == ("cancelled", "Label change expected")
    with pytest.raises(ValidationError):
        schedule_cancel(schedule=schedule, by=board_member)
    # the article may go to review again
    review_submit(article=under_review.article, by=editor)


def test_a_forged_cancel_from_an_editor_gets_403(client, under_review, board_member, editor):
    approve_on(under_review, board_member, IN_AN_HOUR)
    schedule = Schedule.objects.get()
    client.force_login(editor)
    response = client.post(reverse("admin:reviews_schedule_cancel", args=[schedule.pk]))
    assert response.status_code == 403
    assert Schedule.objects.get().is_pending


def test_the_board_cancels_in_the_admin(client, under_review, board_member):
    approve_on(under_review, board_member, IN_AN_HOUR)
    schedule = Schedule.objects.get()
    client.force_login(board_member)
    page = client.get(reverse("admin:reviews_schedule_change", args=[schedule.pk])).content.decode()
    assert "Cancel this schedule" in page
    client.post(reverse("admin:reviews_schedule_cancel", args=[schedule.pk]), {"note": "Not yet"})
    assert Schedule.objects.get().state == "cancelled"


def test_the_review_page_and_the_article_page_show_the_schedule(client, under_review, board_member):
    approve_on(under_review, board_member, IN_AN_HOUR)
    client.force_login(board_member)
    workspace = client.get(reverse("admin:reviews_review_workspace", args=[under_review.pk])).content.decode()
    assert "Publish on" in workspace and "pending, scheduled by Dr. Bo Reviewer" in workspace
    article_page = client.get(reverse("admin:articles_article_change", args=[under_review.article_id]))
    assert "Publish on" in article_page.content.decode()
    listing = client.get(reverse("admin:reviews_schedule_changelist") + "?state__exact=pending").content.decode()
    assert under_review.article.question in listing


def test_the_schedules_list_costs_the_same_queries_however_many(client, board_member, django_assert_max_num_queries):
    for n in range(6):
        article = make_article(slug=f"s-{n}")
        from articles.publishing import article_publish

        article_publish(article=article, origin=Publication.Origin.APPROVAL)
        schedule_withdrawal(article=article, by=board_member, due_at=IN_AN_HOUR, reason="Outdated")
    client.force_login(board_member)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:reviews_schedule_changelist")).status_code == 200


# --- withdrawal ------------------------------------------------------------------------------


def test_a_scheduled_withdrawal_takes_the_answer_down_at_its_minute(client, approved, board_member):
    schedule = schedule_withdrawal(article=approved, by=board_member, due_at=IN_AN_HOUR, reason="Superseded")
    assert client.get(f"/articles/{approved.slug}/").status_code == 200
    schedules_run_due(now=IN_AN_HOUR)
    assert client.get(f"/articles/{approved.slug}/").status_code == 410
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.reason == "Superseded" and withdrawal.by == board_member
    schedule.refresh_from_db()
    assert schedule.state == "done" and schedule.withdrawal == withdrawal
    assert schedules_run_due(now=IN_AN_HOUR) == 0
    assert Withdrawal.objects.count() == 1


def test_a_withdrawal_needs_the_permission_a_reason_and_a_future_date(approved, board_member, editor):
    with pytest.raises(PermissionDenied):
        schedule_withdrawal(article=approved, by=editor, due_at=IN_AN_HOUR, reason="x")
    with pytest.raises(ValidationError) as error:
        schedule_withdrawal(article=approved, by=board_member, due_at=timezone.now(), reason=" ")
    assert "“Withdraw on” must be in the future" in str(error.value)
    assert "Give the reason readers will see" in str(error.value)
    assert not Schedule.objects.exists()


def test_a_draft_cannot_be_scheduled_for_withdrawal(draft, board_member):
    with pytest.raises(ValidationError) as error:
        schedule_withdrawal(article=draft, by=board_member, due_at=IN_AN_HOUR, reason="x")
    assert "not public" in str(error.value)


def test_a_withdrawal_whose_scheduler_lost_the_permission_fails_in_the_trail(approved, board_member):
    schedule = schedule_withdrawal(article=approved, by=board_member, due_at=IN_AN_HOUR, reason="Old")
    board_member.groups.clear()
    board_member = type(board_member).objects.get(pk=board_member.pk)  # fresh permission cache
    schedules_run_due(now=IN_AN_HOUR)
    schedule.refresh_from_db()
    assert schedule.state == "failed" and "may not withdraw" in schedule.error
    assert Article.objects.get(pk=approved.pk).current_publication_id


def test_scheduling_a_withdrawal_in_the_admin(client, approved, board_member):
    client.force_login(board_member)
    url = reverse("admin:reviews_schedule_add") + f"?article={approved.pk}"
    assert client.get(url).status_code == 200
    past = client.post(url, {"article": approved.pk, "due_at": "2020-01-01T10:00", "reason": "Old"})
    assert past.status_code == 200 and "must be in the future" in past.content.decode()
    response = client.post(
        url, {"article": approved.pk, "due_at": local_minute(IN_AN_HOUR + datetime.timedelta(days=1)), "reason": "Old"}
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.kind == "withdraw" and schedule.created_by == board_member


def test_an_editor_cannot_schedule_a_withdrawal_in_the_admin(client, approved, editor):
    client.force_login(editor)
    url = reverse("admin:reviews_schedule_add")
    assert client.get(url).status_code == 403
    response = client.post(url, {"article": approved.pk, "due_at": local_minute(IN_AN_HOUR), "reason": "x"})
    assert response.status_code == 403
    assert not Schedule.objects.exists()


def test_the_schedules_carry_no_internal_data_to_readers(client, approved, board_member):
    schedule_withdrawal(article=approved, by=board_member, due_at=IN_AN_HOUR, reason="INTERNAL-REASON-XYZ")
    for url in (f"/articles/{approved.slug}/", "/feed/", "/api/answers/", "/sitemap.xml"):
        assert b"INTERNAL-REASON-XYZ" not in client.get(url).content, url


def test_another_member_cannot_cancel_without_the_permission(under_review, board_member):
    outsider = UserFactory(username="outsider")
    approve_on(under_review, board_member, IN_AN_HOUR)
    with pytest.raises(PermissionDenied):
        schedule_cancel(schedule=Schedule.objects.get(), by=outsider)


# --- the review page's "Publish on" ----------------------------------------------------------


def decide(review):
    return reverse("admin:reviews_review_decide", args=[review.pk])


def test_the_review_page_refuses_a_past_minute_and_keeps_what_was_typed(client, under_review, board_member):
    client.force_login(board_member)
    past = local_minute(timezone.now() - datetime.timedelta(days=1))
    response = client.post(
        decide(under_review),
        {
            "transition": "approve",
            "state": "under_review",
            "declaration": NO_CONFLICT,
            "publish_on": past,
            **CHANGE_FOR_READERS,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "must be in the future" in page
    assert f'value="{past}"' in page
    assert not Schedule.objects.exists() and not under_review.approvals.exists()


def test_the_review_page_schedules_the_publication(client, under_review, board_member):
    client.force_login(board_member)
    response = client.post(
        decide(under_review),
        {
            "transition": "approve",
            "state": "under_review",
            "declaration": NO_CONFLICT,
            "publish_on": local_minute(IN_AN_HOUR),
            **CHANGE_FOR_READERS,
        },
        follow=True,
    )
    assert "Approved: it will be published on" in response.content.decode()
    assert Schedule.objects.get().due_at == IN_AN_HOUR.replace(second=0, microsecond=0)
    assert not Publication.objects.exists()
    trail = under_review.transitions.last()
    assert trail.name == "approve" and "scheduled to be published on" in trail.comment


def test_a_scheduled_publication_carries_the_approvers_note_for_readers(client, under_review, board_member):
    approve_on(
        under_review,
        board_member,
        IN_AN_HOUR,
        change_class="major",
        change_note="New guidance on dosing in kidney disease.",
        literature_confirmed=under_review.content["literature_through"],
    )
    schedules_run_due(now=IN_AN_HOUR)
    publication = Publication.objects.get()
    assert (publication.change_class, publication.change_note) == ("major", "New guidance on dosing in kidney disease.")
    assert (
        "New guidance on dosing in kidney disease."
        in client.get(f"/articles/{publication.article.slug}/").content.decode()
    )
