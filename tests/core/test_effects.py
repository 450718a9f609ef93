"""Durable effects (core/tasks.py), run in this process through the worker's own code: recorded with
the decision or not at all, retried with backoff, never run twice once done, failures visible to
staff with "retry now" for those allowed, periodic jobs once per slot."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import tasks
from core.models import Effect, PeriodicRun
from reviews.services import review_submit
from tests.helpers import UserFactory, effects_due_now, run_effects

pytestmark = pytest.mark.django_db

CALLS = []


@tasks.effect
def record_call(*, value: str) -> None:
    CALLS.append(value)


@tasks.effect
def always_fails(*, value: str) -> None:
    raise OSError(f"storage refused {value}")


@pytest.fixture(autouse=True)
def _queued(settings):
    """These tests watch the queue itself: nothing runs until the worker's code is called."""
    settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT = False
    CALLS.clear()


def test_an_effect_exists_exactly_when_its_decision_does(editor, board_member, draft):
    # the fixtures' own effects (a new board profile retires the pages that list the board) aside
    Effect.objects.all().delete()
    DBTaskResult.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue(record_call, value="rolled back", label="rolled back")
        raise RuntimeError("the decision failed")
    assert not Effect.objects.exists() and not DBTaskResult.objects.exists()

    review_submit(article=draft, by=editor)
    (sync, email) = Effect.objects.order_by("pk")
    assert sync.name == "articles.published_files.sync_answer_page" and sync.args == {
        "slug": draft.slug,
        "lists": False,
    }
    assert email.name == "reviews.notifications.send_email" and email.args["to"] == board_member.email
    assert DBTaskResult.objects.count() == 2  # their tasks, in the same transaction
    assert not mail.outbox  # nothing is sent by the request

    run_effects()
    assert [m.to for m in mail.outbox] == [[board_member.email]]
    assert set(Effect.objects.values_list("status", flat=True)) == {"done"}


def test_enqueueing_costs_two_inserts(django_assert_num_queries):
    with transaction.atomic(), django_assert_num_queries(2):
        tasks.enqueue(record_call, value="x")


def test_a_failing_effect_is_retried_with_doubling_backoff_then_failed_and_never_raises(settings):
    settings.ORACLE_EFFECT_MAX_ATTEMPTS = 3
    record = tasks.enqueue(always_fails, value="page", label="Write a page")
    before = timezone.now()
    run_effects()
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("pending", 1)
    assert record.last_error.startswith("OSError: storage refused page")
    assert timedelta(seconds=4) < record.run_after - before < timedelta(seconds=6)  # 5 s

    run_effects()  # not due yet: nothing runs
    record.refresh_from_db()
    assert record.attempts == 1

    effects_due_now()
    started = timezone.now()
    run_effects()
    record.refresh_from_db()
    assert record.attempts == 2
    assert timedelta(seconds=9) < record.run_after - started < timedelta(seconds=11)  # doubled: 10 s

    effects_due_now()
    run_effects()
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("failed", 3)
    assert record.finished_at is not None


def test_backoff_doubles_from_five_seconds_and_stops_at_fifteen_minutes():
    assert [tasks.backoff(n).total_seconds() for n in (1, 2, 3, 4, 8, 9, 10, 20)] == [
        5,
        10,
        20,
        40,
        640,
        900,
        900,
        900,
    ]


def test_a_done_effect_never_runs_again():
    record = tasks.enqueue(record_call, value="sent once")
    assert tasks.execute(record.pk) == "done"
    assert tasks.execute(record.pk) != "done"
    run_effects()
    tasks.retry_now(Effect.objects.all())  # "retry now" leaves done effects alone
    run_effects()
    assert CALLS == ["sent once"]


def test_a_running_effect_is_taken_again_only_once_its_workers_lease_ran_out(settings):
    record = tasks.enqueue(record_call, value="x")
    # A worker claimed it, then was killed: the row says running, with a lease.
    Effect.objects.filter(pk=record.pk).update(status="running", lease_until=timezone.now() + timedelta(seconds=60))
    assert tasks.execute(record.pk) != "done"
    assert CALLS == []

    Effect.objects.filter(pk=record.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1), sent_at=timezone.now() - timedelta(hours=1)
    )
    DBTaskResult.objects.all().delete()  # its task went with the dead worker
    assert tasks.sweep() == 1  # the sweep sends it again
    run_effects()
    record.refresh_from_db()
    assert record.status == "done" and CALLS == ["x"]


def test_an_unregistered_name_never_runs():
    record = Effect.objects.create(name="os.system", args={"command": "true"}, max_attempts=1)
    tasks.execute(record.pk)
    record.refresh_from_db()
    assert record.status == "failed" and "not a registered effect" in record.last_error


def test_each_periodic_slot_is_taken_once_whatever_the_number_of_workers(settings):
    settings.ORACLE_PERIODIC_JOBS = {"tick": {"effect": record_call.effect_name, "every": 300}}
    now = timezone.now().replace(minute=1, second=0)
    Effect.objects.all().delete()
    assert tasks.run_periodic(now) == ["tick"]
    assert tasks.run_periodic(now + timedelta(seconds=30)) == []  # a second worker, same slot
    assert tasks.run_periodic(now + timedelta(minutes=5)) == ["tick"]
    assert PeriodicRun.objects.count() == 2
    assert Effect.objects.filter(label="Periodic: tick").count() == 2


def test_a_periodic_job_runs_through_the_worker(settings):
    settings.ORACLE_PERIODIC_JOBS = {"tick": {"effect": record_call.effect_name, "every": 300}}
    # periodic effects take no arguments; this one needs one, so it fails and says why
    tasks.run_periodic()
    run_effects()
    (record,) = Effect.objects.filter(label="Periodic: tick")
    assert "value" in record.last_error


# --- the admin: staff see effects, and those allowed retry them ----------------------------


def test_staff_see_failed_effects_with_their_error_and_an_administrator_retries_them(client, admin_user, settings):
    settings.ORACLE_EFFECT_MAX_ATTEMPTS = 1
    record = tasks.enqueue(always_fails, value="file", label="Update the published page of “x”")
    run_effects()
    client.force_login(admin_user)
    page = client.get("/admin/core/effect/?status__exact=failed").content.decode()
    assert "Update the published page of “x”" in page and "OSError: storage refused file" in page

    response = client.post(
        "/admin/core/effect/", {"action": "retry_now", "_selected_action": [record.pk], "index": 0}, follow=True
    )
    assert "1 effect(s) will be retried now" in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("pending", 0)


def test_retry_now_is_refused_on_the_server_to_staff_without_the_permission(client, settings):
    from django.contrib.auth.models import Permission

    settings.ORACLE_EFFECT_MAX_ATTEMPTS = 1
    record = tasks.enqueue(always_fails, value="file")
    run_effects()
    watcher = UserFactory(username="watcher")
    watcher.user_permissions.add(Permission.objects.get(codename="view_effect"))
    client.force_login(watcher)
    assert client.get("/admin/core/effect/").status_code == 200
    # A forged POST of the action: refused (the action is not available to this user).
    client.post("/admin/core/effect/", {"action": "retry_now", "_selected_action": [record.pk], "index": 0})
    record.refresh_from_db()
    assert record.status == "failed"
    assert client.get(f"/admin/core/effect/{record.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/core/effect/{record.pk}/delete/").status_code == 403


def test_editors_and_the_board_do_not_see_effects(client, editor, board_member):
    for user in (editor, board_member):
        client.force_login(user)
        assert client.get("/admin/core/effect/").status_code == 403
