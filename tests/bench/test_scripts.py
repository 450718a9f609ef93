"""The benchmark scripts still run (tiny sizes): figures in closing notes must stay reproducible."""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_bench_script


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        ("bench/answer_render.py", ["--rounds", "5"], "answer page, SQL queries per request:          1"),
        ("bench/history.py", ["--versions", "5"], "database bytes per saved version"),
    ],
)
def test_benchmark_script_runs(script, args, expect):
    result = run_bench_script(script, *args)

    assert result.returncode == 0, result.stderr[-3000:]
    assert expect in result.stdout


PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


@pytest.mark.skipif(
    not shutil.which("wrk") or not (PG_BIN / "initdb").exists(), reason="needs wrk and PostgreSQL 15's server binaries"
)
def test_load_faults_runs_tiny_on_its_own_postgres():
    """A few seconds of load and one restart of the script's *own* throwaway PostgreSQL (never a
    shared server), with the per-process cache so no Redis database is shared either."""
    args = ["--seconds", "6", "--fault-seconds", "3", "--restart-after", "1", "--answers", "8"]
    args += ["--workers", "2", "--connections", "8", "--warmup", "1", "--no-redis", "--no-fsync"]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = run_bench_script("bench/load_faults.py", *args, env=env, timeout=120)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for figure in ("lost writes: 0 of", "half-done transitions: 0", "recovery after PostgreSQL was back", "PASS"):
        assert figure in result.stdout
    cluster = re.search(r"throwaway PostgreSQL on 127\.0\.0\.1:\d+ in (\S+)", result.stdout).group(1)
    assert not Path(cluster).exists(), "the throwaway PostgreSQL was left behind"
