"""The real command line in a subprocess, with a deadline so that a hang fails the test."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT


def kiosk_cli(*args: str, stdin: str | None = None, timeout: float = 120,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m kiosk ARGS``; raises subprocess.TimeoutExpired (a failure) if it hangs."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        cwd=ROOT,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
    )


def assert_refused(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit 2 (the service does not restart), a plain message with ``expected`` in it, and no
    traceback."""
    assert done.returncode == 2, (done.returncode, done.stderr[-3000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    for text in expected:
        assert text in done.stderr, (text, done.stderr[-3000:])
