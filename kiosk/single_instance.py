"""One kiosk per data dir: a second copy would print and send every letter twice."""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from pathlib import Path
from typing import IO

from kiosk.errors import Refusal
from kiosk.store.refusals import storage_refusals

LOCK_NAME = "kiosk.lock"


class AlreadyRunning(Refusal):
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
    # A kiosk that cannot write its lock cannot keep letters either: a read-only or full disk
    # is refused here with the store's own message.
    with storage_refusals(Path(data_dir)):
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open on purpose
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip()
        handle.close()
        raise AlreadyRunning(Path(data_dir), pid) from None
    try:
        with storage_refusals(Path(data_dir)):
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
    except BaseException:
        with suppress(OSError):  # closing flushes again, and a full disk fails again
            handle.close()
        raise
    return handle
