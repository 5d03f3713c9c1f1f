"""The version of the code that is running, recorded with what it computes
(a monitoring snapshot): PORTAL_CODE_VERSION when set (a deployment sets it),
else the git commit of the checkout, else "onbekend"."""
from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404  (a fixed git command, no shell)
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def code_version() -> str:
    configured = os.environ.get("PORTAL_CODE_VERSION", "").strip()
    if configured:
        return configured[:64]
    git = shutil.which("git")
    if git:
        try:
            done = subprocess.run([git, "rev-parse", "--short=12", "HEAD"], cwd=ROOT,  # nosec B603
                                  capture_output=True, text=True, timeout=5, check=False)
        except (OSError, subprocess.SubprocessError):
            return "onbekend"
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()[:64]
    return "onbekend"
