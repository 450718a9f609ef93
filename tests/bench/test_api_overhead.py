"""bench/api_overhead.py still runs (tiny sizes), so the figures in the closing note stay reproducible."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "bench" / "api_overhead.py"


def test_overhead_bench_runs_and_the_views_agree():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--answers", "3", "--rounds", "5"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oracle.settings_test"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "detail: django-ninja" in result.stdout and "overhead: +" in result.stdout
