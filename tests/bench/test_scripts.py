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


@pytest.mark.own_database
@pytest.mark.skipif(
    not shutil.which("wrk") or not (PG_BIN / "initdb").exists(), reason="needs wrk and PostgreSQL 15's server binaries"
)
def test_load_faults_runs_tiny_on_its_own_postgres():
    """A few seconds of load and one restart of the script's *own* throwaway PostgreSQL (never a
    shared server), with the per-process cache so no Redis database is shared either."""
    args = ["--seconds", "6", "--read-seconds", "2", "--fault-seconds", "3", "--restart-after", "1", "--answers", "8"]
    args += ["--workers", "2", "--connections", "8", "--warmup", "1", "--no-redis", "--no-fsync"]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = run_bench_script("bench/load_faults.py", *args, env=env, timeout=120)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = ("lost writes: 0 of", "half-done transitions: 0", "recovery after PostgreSQL was back", "PASS")
    figures += ("== read-only:", "readers under writes:", "API PUTs")
    for figure in figures:
        assert figure in result.stdout
    cluster = re.search(r"throwaway PostgreSQL on 127\.0\.0\.1:\d+ in (\S+)", result.stdout).group(1)
    assert not Path(cluster).exists(), "the throwaway PostgreSQL was left behind"


@pytest.mark.own_database
def test_scale_bench_runs_tiny_on_a_database_of_its_own(tmp_path):
    """Every page the scale figures name answers 200 and gets a p50, p95 and query count."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oracle.settings_test"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'scale.sqlite3'}"
    result = run_bench_script("bench/scale.py", "--answers", "15", "--rounds", "3", env=env, timeout=240)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "15 published answers on sqlite" in result.stdout
    for page in ("answer", "home", "topic", "search", "admin list", "sitemap", "sitemap part"):
        assert re.search(rf"^{page}\s+[\d.]+\s+[\d.]+\s+\d+", result.stdout, re.M), page


@pytest.mark.own_database
@pytest.mark.skipif(not shutil.which("wrk") or not shutil.which("nginx"), reason="needs wrk and nginx")
def test_nginx_path_bench_runs_tiny():
    """The shipped config serves the published page and its .gz, and stops serving a removed page."""
    args = ["--seconds", "1", "--rounds", "1", "--answers", "2", "--connections", "4", "--min-ratio", "0"]
    result = run_bench_script("bench/nginx_path.py", *args, timeout=240)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"\(b\)/\(a\) identity: [\d.]+%", result.stdout)
    assert re.search(r"\(b\)/\(a\) gzip: [\d.]+%", result.stdout)
    assert re.search(r"stopped being served after \d+ ms", result.stdout)
    assert "PASS" in result.stdout
