"""Bandit (pinned in requirements-dev.txt) finds nothing of high severity in
portal/ (`make security` runs the same)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bandit(*args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).with_name("bandit")
    command = [str(executable)] if executable.exists() else [shutil.which("bandit") or "bandit"]
    try:
        return subprocess.run([*command, "-lll", "-q", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
    except FileNotFoundError:
        pytest.fail("bandit is not installed: pip install -r requirements-dev.txt")


def test_no_high_severity_findings_in_the_portal():
    done = bandit("-r", "portal")
    assert done.returncode == 0, done.stdout + done.stderr


def test_bandit_does_report_a_high_severity_finding(tmp_path):
    """The control: the same command fails on code with a high-severity issue."""
    bad = tmp_path / "bad.py"
    bad.write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    done = bandit("-r", str(bad))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "B602" in done.stdout
