"""bench/api_overhead.py still runs (tiny sizes), so the figures in the closing note stay reproducible."""

from tests.helpers import run_bench_script


def test_overhead_bench_runs_and_the_views_agree():
    result = run_bench_script("bench/api_overhead.py", "--answers", "3", "--rounds", "5")

    assert result.returncode == 0, result.stderr[-3000:]
    assert "detail: django-ninja" in result.stdout and "overhead: +" in result.stdout
