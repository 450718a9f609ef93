"""Durable effects: throughput of the database backend and of RQ on Redis, 1 and 2 workers.

    .venv/bin/python bench/tasks_backends.py --database-url postgres://postgres@127.0.0.1:5432/oracle_wa2 \\
        --redis-url redis://127.0.0.1:6379/12 [--effects 2000]

For each backend and worker count: empty the queue, enqueue N no-op effects (100 per
transaction, as decisions would), start the workers (`manage.py worker`, production settings),
and time until every effect is done. Prints effects/s and the latency from enqueue to done
(p50, p99). The database must be one of yours (its effect and task tables are emptied); the
Redis database is flushed.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def environment(database_url: str, redis_url: str, backend: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ORACLE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="oracle.settings",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123",
        DATABASE_URL=database_url,
        ORACLE_TASKS_BACKEND=backend,
        ORACLE_TASKS_REDIS_URL=redis_url,
        ORACLE_PUBLISH_DIR="",
    )
    return env


def django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django as dj

    dj.setup()


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else float("nan")


def run_case(backend: str, workers: int, count: int, args) -> dict:
    env = environment(args.database_url, args.redis_url, backend)
    code = f"""
import time, json
from django.db import transaction
from django.utils import timezone
from core.models import Effect
from core.tasks import enqueue, noop
from django_tasks_db.models import DBTaskResult
Effect.objects.all().delete(); DBTaskResult.objects.all().delete()
if {backend!r} == "rq":
    import django_rq; django_rq.get_connection("default").flushdb()
for start in range(0, {count}, 100):
    with transaction.atomic():
        for n in range(start, min(start + 100, {count})):
            enqueue(noop, n=n)
"""
    subprocess.run([PY, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [PY, "manage.py", "worker", "--no-periodic", "--interval", "0.05"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    probe = "from core.models import Effect; print(Effect.objects.exclude(status='done').count())"
    try:
        while True:
            left = int(
                subprocess.run(
                    [PY, "manage.py", "shell", "-v0", "-c", probe],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
            )
            if left == 0:
                break
            if time.monotonic() - started > args.timeout:
                raise SystemExit(f"{backend} x{workers}: {left} effects left after {args.timeout} s")
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
    stats = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from core.models import Effect\n"
            "rows = Effect.objects.values_list('created_at', 'finished_at')\n"
            "first = min(c for c, f in rows); last = max(f for c, f in rows)\n"
            "print((last - first).total_seconds())\n"
            "print(' '.join(str((f - c).total_seconds()) for c, f in rows))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # Throughput from the workers' own clock: first enqueue to last done minus the enqueue time.
    latencies = [float(x) for x in stats[1].split()]
    elapsed = time.monotonic() - started
    return {
        "backend": backend,
        "workers": workers,
        "rate": count / elapsed,
        "elapsed": elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--effects", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--backends", default="database,rq")
    args = parser.parse_args()
    env = environment(args.database_url, args.redis_url, "database")
    subprocess.run([PY, "manage.py", "migrate", "-v0", "--noinput"], cwd=ROOT, env=env, check=True)
    results = [run_case(b, w, args.effects, args) for b in args.backends.split(",") for w in (1, 2)]
    print(f"\n{args.effects} no-op effects, workers started after enqueueing (includes their start-up)")
    print(f"{'backend':<10}{'workers':>8}{'effects/s':>12}{'total s':>10}{'enqueue→done p50 s':>20}{'p99 s':>8}")
    for r in results:
        print(
            f"{r['backend']:<10}{r['workers']:>8}{r['rate']:>12.0f}{r['elapsed']:>10.1f}{r['p50']:>20.2f}{r['p99']:>8.2f}"
        )


if __name__ == "__main__":
    main()
