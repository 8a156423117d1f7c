"""The one helper for background work: a named thread that sleeps until woken or due
(``Worker``), a line of short jobs run one after another on one thread (``TaskLine``), and one
slow job on a thread of its own (``run_once``).

Printing and email each get one ``Worker``; staff actions go down one ``TaskLine``, so they
never write the store on the GUI thread and are recorded in the order staff made them.

Workers never touch widgets; they read and write the store (their own connection) and report
through plain callbacks, which the UI turns into Qt signals. A worker survives every exception
in its job (it logs it and carries on) so a queue can never stop draining silently, the way
django-mailer #181 describes.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Worker:
    """Run ``step()`` whenever woken, or every ``idle_seconds`` at the latest.

    ``step`` returns how many seconds until it wants to run again (None: only when woken or after
    ``idle_seconds``). It is called on the worker's own thread, one call at a time.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], float | None],
        *,
        idle_seconds: float = 30.0,
        on_error: Callable[[BaseException], None] | None = None,
    ):
        self.name = name
        self._step = step
        self._idle = idle_seconds
        self._on_error = on_error
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                delay = self._step()
            except Exception as e:
                log.exception("%s: unexpected error; will try again", self.name)
                delay = None
                if self._on_error:
                    self._on_error(e)
            wait = self._idle if delay is None else max(0.0, min(delay, self._idle))
            self._wake.wait(wait)


def run_once(
    name: str,
    job: Callable[[], object],
    done: Callable[[object, BaseException | None], None],
) -> threading.Thread:
    """Run one slow job (a staff test print) off the GUI thread; ``done(result, error)`` is
    called on that thread when it ends, so a UI caller must re-emit it as a signal."""

    def run() -> None:
        try:
            result = job()
        except Exception as e:  # reported to the caller, never lost
            log.exception("%s failed", name)
            done(None, e)
            return
        done(result, None)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


Done = Callable[[object, BaseException | None], None]


class TaskLine:
    """Run short jobs one at a time, in the order they were given, on one thread of their own.

    ``done(result, error)`` is called on that thread after each job; a UI caller re-emits it as
    a signal. The thread starts with the first job and ends with ``stop()``, which lets the jobs
    already given finish first: a staff action accepted is never dropped at quit.
    """

    def __init__(self, name: str):
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Callable[[], object], Done] | None] = (
            queue.SimpleQueue())
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], object], done: Done) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        self._jobs.put((job, done))

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, done = item
            try:
                result = job()
            except Exception as e:  # reported to the caller, never lost
                log.exception("%s: a job failed", self.name)
                done(None, e)
                continue
            done(result, None)
