"""A private Xvfb server, for whatever needs a real X display of its own: ``render-screens``'
keyboard pictures, the tests and the screen-reader soak. No Qt here: it only starts a program.

Xvfb writes its display number on ``-displayfd`` once it accepts clients: nothing here waits
for a fixed time, however busy the machine is.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator


class XvfbMissing(RuntimeError):
    """There is no Xvfb to start (or, as ``XvfbFailed``, it would not start)."""


class XvfbFailed(XvfbMissing):
    """Xvfb is installed but did not start: a fault to report, not a package to install.
    A kind of XvfbMissing so that callers catching that still catch it."""


@contextlib.contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """Start Xvfb on a free display; yield its name (``":N"``); stop it afterwards."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XvfbMissing("Xvfb is missing: run ./scripts/setup")
    # A file, not a pipe, for what Xvfb prints: a long soak never fills it up.
    with tempfile.TemporaryFile() as log:
        read, write = os.pipe()
        proc = subprocess.Popen([binary, "-displayfd", str(write), "-screen", "0", size,
                                 "-nolisten", "tcp"], pass_fds=(write,),
                                stdout=subprocess.DEVNULL, stderr=log)
        os.close(write)
        try:
            with os.fdopen(read) as f:
                number = f.readline().strip()  # blocks until ready, or EOF if Xvfb died
            if not number:
                proc.wait()
                log.seek(0)
                err = log.read().decode(errors="replace")
                raise XvfbFailed(f"Xvfb did not start (exit {proc.returncode}): {err[-500:]}")
            yield f":{number}"
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Ask a helper program to end; kill it if it has not within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
