"""Runs examples/pipeline_tracking.py — Kitsu's pipeline-tracking guide as
a user would run it — against the suite's server, on each backend."""

import subprocess
import sys
from pathlib import Path

from support import ADMIN_EMAIL, ADMIN_PASSWORD

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pipeline_tracking.py"


def test_pipeline_tracking_guide_runs_end_to_end(api_url):
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), api_url, ADMIN_EMAIL, ADMIN_PASSWORD],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "time logged on Hero modeling: 180.0 min" in out
    assert "Layout" in out and "Done" in out
    assert "1 of 3 tasks completed" in out
    assert "has 2 tasks to do" in out
    assert "E01 / E01_SQ010: 1 shots" in out
