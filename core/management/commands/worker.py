"""`manage.py worker`: runs the durable effects (core/tasks.py) for the configured task backend,
and the periodic jobs (settings.ORACLE_PERIODIC_JOBS) beside them.

With the database backend (the default) it is django-tasks-db's worker, polling every
`--interval` seconds (0.1: an approval's page is written well under a second after it commits);
with ORACLE_TASKS_BACKEND=rq it is an RQ worker on Redis (with its scheduler, for retries that
wait). Either way a thread offers the periodic jobs' slots every `--tick` seconds (one worker
takes each slot) and sweeps up effects whose task was lost (a worker killed mid-task). Start as
many workers as you like; Ctrl-C or SIGTERM lets the current effect finish.
"""

import logging
import os
import socket
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string

from core.tasks import run_effect, run_periodic, sweep

logger = logging.getLogger("oracle.effects")


class Periodic(threading.Thread):
    """Every `tick` seconds: the sweep, then the periodic jobs whose slot has come."""

    def __init__(self, tick: float, *, periodic: bool = True):
        super().__init__(name="oracle-periodic", daemon=True)
        self.tick = tick
        self.periodic = periodic
        self.stopped = threading.Event()

    def once(self) -> None:
        try:
            sweep()
            if self.periodic:
                run_periodic()
        except Exception:  # the database is away for a moment: try again next tick
            logger.warning("Periodic tick failed; retrying in %s s", self.tick, exc_info=True)
        finally:
            close_old_connections()

    def run(self) -> None:
        try:
            while True:
                self.once()
                if self.stopped.wait(self.tick):
                    return
        finally:
            connections.close_all()


class Command(BaseCommand):
    help = "Run durable effects (page writes, cache retirement, email) and the periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.1, help="Seconds between polls when idle (database backend)."
        )
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between sweeps and periodic-job checks.")
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--no-periodic", action="store_true", help="Do not run the periodic jobs (sweep only).")
        parser.add_argument("--worker-id", default="", help="Unique id of this worker (default: host, pid, random).")

    def handle(self, *args, interval, tick, batch, no_periodic, worker_id, **options):
        from django_tasks_db import DatabaseBackend

        backend = run_effect.get_backend()
        worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"[:64]
        periodic = Periodic(tick, periodic=not no_periodic)
        if batch:
            periodic.once()
        else:
            periodic.start()
        kind = type(backend).__name__
        self.stdout.write(
            f"Worker {worker_id}: {kind} ({backend.alias}), "
            + ("draining what is due" if batch else f"polling every {interval:g} s, periodic jobs every {tick:g} s")
        )
        if isinstance(backend, DatabaseBackend):
            self._run_database(backend, worker_id=worker_id, interval=interval, batch=batch)
        elif type(backend).__module__.startswith("django_tasks_rq"):
            self._run_rq(worker_id=worker_id, batch=batch)
        else:
            raise CommandError(f"No worker for the task backend {kind}: use the database backend or RQ.")

    def _run_database(self, backend, *, worker_id, interval, batch):
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=backend.alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()

    def _run_rq(self, *, worker_id, batch):
        import django_rq
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker

        # SimpleWorker: effects run in this process (no fork per job), with this process's settings.
        worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker, name=worker_id)
        worker.work(with_scheduler=True, burst=batch)
