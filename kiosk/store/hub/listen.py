"""Hearing that something changed at the hub: LISTEN on one connection of its own.

The hub's triggers NOTIFY "letter_kiosk_changed" after each statement that adds or changes
letters, emails or kiosks; the payload names only the table. Whoever listens queries again
(a count carried in the payload is racy: with inserts from several kiosks at once a trigger's
``count(*)`` reported 49 of 50). A dropped connection is opened again by itself, and a "changed"
follows each reconnection: what happened meanwhile is read then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.store.hub.link import HubAway, HubRefused, connect, deadline, talking

log = logging.getLogger(__name__)

CHANNEL = "letter_kiosk_changed"


class HubListener:
    """``start()`` a thread that calls ``on_changed()`` (on that thread) whenever the hub says
    something changed, at most once per ``settle`` seconds; ``stop()`` ends it."""

    def __init__(self, url: str, *, timeout: float, name: str,
                 on_changed: Callable[[], None], on_state: Callable[[bool], None] | None = None,
                 settle: float = 0.25):
        self.url, self.timeout, self.name = url, timeout, name
        self._on_changed = on_changed
        self._on_state = on_state
        self._settle = settle
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="hub-listen", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _set_connected(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            if self._on_state:
                self._on_state(up)

    def _run(self) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                self._listen()
                pause = 1.0
            except (HubAway, HubRefused) as e:
                self._set_connected(False)
                log.info("hub listener: %s; again in %.0f s", e, pause)
                self._stop.wait(pause)
                pause = min(pause * 2, 30.0)
            except Exception:  # never let the panel's news stop for good
                self._set_connected(False)
                log.exception("hub listener: unexpected error")
                self._stop.wait(pause)
                pause = min(pause * 2, 30.0)

    def _listen(self) -> None:
        conn = connect(self.url, timeout=self.timeout, name=f"{self.name} (listening)")
        try:
            with talking(self.url):
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self._set_connected(True)
                self._on_changed()  # whatever happened while not listening
                quiet = 0.0
                while not self._stop.is_set():
                    # A timeout of a second: stop() is noticed soon enough.
                    heard = any(True for _ in conn.notifies(timeout=1.0, stop_after=1))
                    if heard:
                        # Let a burst settle, then one query for all of it.
                        self._stop.wait(self._settle)
                        for _ in conn.notifies(timeout=0.01):
                            pass
                        self._on_changed()
                        quiet = 0.0
                        continue
                    quiet += 1.0
                    if quiet >= 5.0:  # a link that died quietly is noticed here, in time
                        quiet = 0.0
                        with deadline(conn, self.timeout):
                            conn.execute("SELECT 1")
        finally:
            conn.close()
