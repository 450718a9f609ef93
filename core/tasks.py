"""Durable effects on Django's Tasks framework (the `django-tasks` backport of `django.tasks`).

A decision (an approval, a withdrawal, a submission) calls `enqueue(...)` for each thing that must
still happen outside the database: the effect is an `Effect` row written in the decision's own
transaction, so it exists exactly when the decision does. A task (`run_effect`) carries it to a
worker; with the database backend that task row is in the same transaction too, with a
distributed backend (RQ on Redis) it is sent once the transaction commits, and `sweep` re-sends
any effect whose task was lost (a crash between commit and send, a worker killed mid-task).

The worker runs an effect through `execute`: it claims the row (a conditional UPDATE, so two
workers never run it at once; a running effect whose lease ran out is claimed again), calls the
registered function, and records the outcome. A failure never reaches the person who decided:
it is recorded (attempts, last error) and retried with backoff — ORACLE_EFFECT_RETRY_SECONDS
doubling, capped at ORACLE_EFFECT_RETRY_MAX_SECONDS — until ORACLE_EFFECT_MAX_ATTEMPTS, then the
effect is "failed" and waits for staff ("retry now" in the admin). Effects are idempotent: a page
sync computes the file from the database, and each email is one effect per recipient whose done
row is the marker that it was sent (a retry re-runs only an effect that is not done).

Periodic jobs (settings.ORACLE_PERIODIC_JOBS) are effects too: each worker offers them every
tick, and a `PeriodicRun` row (unique per job and slot) lets one worker take each slot.
"""

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from core.models import Effect, EffectStatus, PeriodicRun

logger = logging.getLogger("oracle.effects")

EFFECTS: dict[str, Callable] = {}


def effect(function: Callable) -> Callable:
    """Register a function as an effect the worker may run (by its dotted path)."""
    name = f"{function.__module__}.{function.__qualname__}"
    EFFECTS[name] = function
    function.effect_name = name
    return function


def _resolve(name: str) -> Callable:
    if name not in EFFECTS:
        # A module registers its effects when imported; only registered functions ever run.
        try:
            import_string(name)
        except ImportError as error:
            raise LookupError(f"{name} is not a registered effect") from error
    if name not in EFFECTS:
        raise LookupError(f"{name} is not a registered effect")
    return EFFECTS[name]


def backoff(attempt: int) -> timedelta:
    """Seconds to wait after the attempt-th failure: the base, doubling, capped."""
    seconds = settings.ORACLE_EFFECT_RETRY_SECONDS * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, settings.ORACLE_EFFECT_RETRY_MAX_SECONDS))


def transactional_backend() -> bool:
    """Whether enqueueing a task is part of the current database transaction (the ORM backend)."""
    from django_tasks_db import DatabaseBackend

    return isinstance(run_effect.get_backend(), DatabaseBackend)


def _send(effect_id: int, run_after=None) -> None:
    """Hand the effect's task to the backend: now (same transaction) or once committed."""
    if transactional_backend():
        run_effect.using(run_after=run_after).enqueue(effect_id)
        return

    def send():
        try:
            run_effect.using(run_after=run_after).enqueue(effect_id)
        except Exception:  # the broker is down: the sweep sends it later
            logger.warning("Could not send effect %s to the task backend; the sweep will", effect_id, exc_info=True)

    transaction.on_commit(send)


def enqueue(function: Callable | str, *, label: str = "", max_attempts: int | None = None, **kwargs) -> Effect:
    """Record an effect in the current transaction and send the task that runs it."""
    name = function if isinstance(function, str) else function.effect_name
    record = Effect.objects.create(
        name=name,
        args=kwargs,
        label=label[:300],
        max_attempts=max_attempts or settings.ORACLE_EFFECT_MAX_ATTEMPTS,
        sent_at=timezone.now(),
    )
    _send(record.pk)
    if settings.ORACLE_EFFECTS_TRY_AFTER_COMMIT:
        # One in-process attempt right after commit (recorded like the worker's); the worker
        # retries whatever this attempt could not do.
        transaction.on_commit(lambda: execute(record.pk), robust=True)
    return record


@task()
def run_effect(effect_id: int) -> str:
    """The task every effect travels as; what it does is the effect's registered function."""
    return execute(effect_id)


def _claimable(now):
    return Q(status=EffectStatus.PENDING, run_after__lte=now) | Q(status=EffectStatus.RUNNING, lease_until__lt=now)


def execute(effect_id: int) -> str:
    """Run one effect if it is due and no one else runs it; record the outcome. Never raises."""
    now = timezone.now()
    lease = timedelta(seconds=settings.ORACLE_EFFECT_LEASE_SECONDS)
    claimed = (
        Effect.objects.filter(pk=effect_id)
        .filter(_claimable(now))
        .update(status=EffectStatus.RUNNING, lease_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "not due, or done, or taken by another worker"
    record = Effect.objects.get(pk=effect_id)
    try:
        _resolve(record.name)(**record.args)
    except Exception as error:
        return _record_failure(record, error)
    Effect.objects.filter(pk=record.pk, status=EffectStatus.RUNNING).update(
        status=EffectStatus.DONE, finished_at=timezone.now(), lease_until=None, last_error=""
    )
    return "done"


def _record_failure(record: Effect, error: Exception) -> str:
    described = f"{type(error).__name__}: {error}"
    details = "".join(traceback.format_exception(error))[-4000:]
    now = timezone.now()
    if record.attempts >= record.max_attempts:
        Effect.objects.filter(pk=record.pk).update(
            status=EffectStatus.FAILED, finished_at=now, lease_until=None, last_error=f"{described}\n\n{details}"
        )
        logger.error(
            "Effect %s (%s) failed for good after %s attempts: %s", record.pk, record, record.attempts, described
        )
        return f"failed: {described}"
    run_after = now + backoff(record.attempts)
    with transaction.atomic():
        Effect.objects.filter(pk=record.pk).update(
            status=EffectStatus.PENDING,
            run_after=run_after,
            lease_until=None,
            sent_at=now,
            last_error=f"{described}\n\n{details}",
        )
        _send(record.pk, run_after=run_after)
    logger.warning(
        "Effect %s (%s) attempt %s failed, retrying at %s: %s", record.pk, record, record.attempts, run_after, described
    )
    return f"retry at {run_after.isoformat()}: {described}"


def retry_now(effects) -> int:
    """Staff's "retry now": failed or waiting effects become due at once, with a fresh set of attempts."""
    now = timezone.now()
    ids = list(effects.exclude(status__in=[EffectStatus.DONE, EffectStatus.RUNNING]).values_list("pk", flat=True))
    for effect_id in ids:
        with transaction.atomic():
            Effect.objects.filter(pk=effect_id).exclude(status=EffectStatus.DONE).update(
                status=EffectStatus.PENDING, run_after=now, attempts=0, finished_at=None, sent_at=now
            )
            _send(effect_id)
    return len(ids)


def sweep(now=None) -> int:
    """Re-send effects whose task was lost: due but not sent for a while, or running past their lease."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.ORACLE_EFFECT_RESEND_SECONDS)
    lost = (
        Effect.objects.filter(_claimable(now))
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=stale))
        .order_by("run_after")
        .values_list("pk", flat=True)[:500]
    )
    count = 0
    for effect_id in list(lost):
        with transaction.atomic():
            unsent = Q(sent_at__isnull=True) | Q(sent_at__lt=stale)
            if Effect.objects.filter(unsent, pk=effect_id).update(sent_at=now):
                _send(effect_id)
                count += 1
    return count


def run_periodic(now=None) -> list[str]:
    """Offer each periodic job's current slot; enqueue the jobs whose slot this call took."""
    now = now or timezone.now()
    taken = []
    for job, spec in settings.ORACLE_PERIODIC_JOBS.items():
        slot = int(now.timestamp() // spec["every"])
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job, slot=slot)
                enqueue(spec["effect"], label=f"Periodic: {job}", max_attempts=spec.get("attempts", 3))
        except IntegrityError:
            continue  # another worker took this slot
        taken.append(job)
    return taken


def prune(now=None) -> None:
    """Forget finished work: done effects and task rows after ORACLE_EFFECT_KEEP_DAYS, old slots."""
    from django_tasks_db.models import DBTaskResult

    before = (now or timezone.now()) - timedelta(days=settings.ORACLE_EFFECT_KEEP_DAYS)
    Effect.objects.filter(status=EffectStatus.DONE, finished_at__lt=before).delete()
    PeriodicRun.objects.filter(taken_at__lt=before).delete()
    # Successful task rows, and rows of workers that died (their effects were re-sent by the sweep).
    DBTaskResult.objects.filter(enqueued_at__lt=before).exclude(status="READY").delete()


effect(prune)


@effect
def noop(**kwargs) -> None:
    """Does nothing: for measuring the queue itself (bench/tasks_backends.py)."""
