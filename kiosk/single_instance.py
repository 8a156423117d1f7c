"""One kiosk per data dir: a second copy would print and send every letter twice."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "kiosk.lock"


class AlreadyRunning(Exception):
    def __init__(self, data_dir: Path, pid: str):
        self.data_dir = data_dir
        self.pid = pid
        who = f" (process {pid})" if pid else ""
        super().__init__(
            f"Letter Kiosk is already running on {data_dir}{who}. "
            "Close that one first, or give this one its own --data-dir."
        )


def hold_lock(data_dir: Path) -> IO[str]:
    """Take the data dir's lock for as long as the returned file stays open.

    The operating system drops the lock when the process ends, even on a crash or SIGKILL, so
    a stale lock can never keep the kiosk from starting again.
    """
    path = Path(data_dir) / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open on purpose
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip()
        handle.close()
        raise AlreadyRunning(Path(data_dir), pid) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
