"""Running a call of the application core off the GUI thread, its result back on it.

The shape of Picard's ``run_task``/``to_main`` and Anki's ``CollectionOp``: ``run(call,
on_done, on_failed)`` gives ``call(core)`` to a thread; ``on_done(result)`` or
``on_failed(error)`` is then called on the GUI thread, through a queued signal. Calls given to
``run`` go down one line, in the order they were given (so the audit log keeps the staff's
order); ``run_slow`` is for a call that waits on a device (a printer's timeout, a slow USB
stick) and must not hold up the others. Each call gets a store connection of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk.background import TaskLine, run_once

if TYPE_CHECKING:
    from kiosk.app.core import Kiosk

T = TypeVar("T")
Failed = Callable[[BaseException], None]


class CoreOps(QObject):
    _deliver = Signal(object, object, object)  # (on_done, on_failed), result, error

    def __init__(self, core: Kiosk, parent: QObject | None = None):
        super().__init__(parent)
        self._core = core
        self._line = TaskLine("staff-actions")
        self._deliver.connect(self._delivered)

    def run(self, call: Callable[[Kiosk], T], on_done: Callable[[T], None] | None = None,
            on_failed: Failed | None = None) -> None:
        """Run ``call(core)`` on the staff-actions line; ``on_done(result)`` or
        ``on_failed(error)`` follows on the GUI thread. An error with no ``on_failed`` is
        logged (by the line) and goes no further: the panel shows the queues as they are."""
        self._line.submit(self._job(call), self._back(on_done, on_failed))

    def run_slow(self, name: str, call: Callable[[Kiosk], T], on_done: Callable[[T], None],
                 on_failed: Failed) -> None:
        """Like ``run``, on a thread of its own: for a call that waits on a device (a printer's
        timeout, a slow USB stick) and must not hold up the staff's other actions."""
        run_once(name, self._job(call), self._back(on_done, on_failed))

    def _job(self, call: Callable[[Kiosk], T]) -> Callable[[], T]:
        core = self._core

        def job() -> T:
            with core.on_this_thread():
                return call(core)

        return job

    def _back(self, on_done: Callable[[Any], None] | None,
              on_failed: Failed | None) -> Callable[[object, BaseException | None], None]:
        """The thread's report, sent to the GUI thread as a queued signal."""
        return lambda result, error: self._deliver.emit((on_done, on_failed), result, error)

    def _delivered(self, callbacks: tuple[Any, Any], result: Any,
                   error: BaseException | None) -> None:
        on_done, on_failed = callbacks
        if error is None:
            if on_done is not None:
                on_done(result)
        elif on_failed is not None:
            on_failed(error)

    def stop(self) -> None:
        """Let the calls already given finish (a staff action accepted is never dropped)."""
        self._line.stop()
