"""The benchmark scripts still run (tiny sizes): figures in closing notes must stay reproducible."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "args", "expect"),
    [
        ("bench/answer_render.py", ["--rounds", "5"], "answer page, SQL queries per request:          1"),
        ("bench/history.py", ["--versions", "5"], "database bytes per saved version"),
    ],
)
def test_benchmark_script_runs(script, args, expect):
    result = subprocess.run(
        [sys.executable, str(ROOT / script), *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oracle.settings_test"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert expect in result.stdout
