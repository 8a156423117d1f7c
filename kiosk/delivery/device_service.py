"""What the receipt printer's and the office printer's services share: one worker thread that
does the device's rounds, and the status it last published, read without blocking.

A subclass gives the worker's round (``_step``) and builds its status snapshots; ``_publish``
keeps the newest and tells ``on_change`` (on the worker's thread) only when it changed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from kiosk.background import Worker

log = logging.getLogger(__name__)
S = TypeVar("S")


class DeviceService(Generic[S]):
    def __init__(self, name: str, first: S, *, idle_seconds: float, stop_seconds: float,
                 enabled: bool, on_change: Callable[[S], None] | None = None):
        self.on_change = on_change
        self.enabled = enabled
        self._stop_seconds = stop_seconds
        self._lock = threading.Lock()
        self._status = first
        self._worker = Worker(name, self._step, idle_seconds=idle_seconds,
                              on_error=self._on_error)

    # --- control, from any thread ------------------------------------------------------------

    def start(self) -> None:
        if self.enabled:
            self._worker.start()

    def stop(self) -> None:
        # Long enough for the round in hand to end; the thread is a daemon anyway.
        self._worker.stop(timeout=self._stop_seconds)

    def wake(self) -> None:
        self._worker.wake()

    def status(self) -> S:
        with self._lock:
            return self._status

    @property
    def running(self) -> bool:
        return self._worker.running

    # --- for subclasses ------------------------------------------------------------------------

    def _step(self) -> float | None:
        raise NotImplementedError

    def _error_status(self, last: S, e: BaseException) -> S:
        """The status to show after the round failed with ``e`` (a bug)."""
        raise NotImplementedError

    def _publish_status(self, new: S) -> None:
        with self._lock:
            changed = new != self._status
            self._status = new
        if changed and self.on_change is not None:
            try:
                self.on_change(new)
            except Exception:  # the UI's problem must not stop the device's work
                log.exception("%s status callback failed", type(self).__name__)

    def _on_error(self, e: BaseException) -> None:
        with self._lock:
            self._status = self._error_status(self._status, e)
            snap = self._status
        if self.on_change is not None:
            self.on_change(snap)
