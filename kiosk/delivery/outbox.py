"""The outbox worker: drains queued emails in the background, and in the foreground on request.

It runs on ``kiosk.background.Worker`` (one thread, woken by ``wake()``, never touching widgets)
and reports through ``on_change(status)``, called on the worker thread; the UI turns that into a
Qt signal. It starts with the kiosk and picks up whatever an earlier run left queued, including
emails a crashed run was in the middle of sending (see ``kiosk.store.outbox`` for leases).

Retries back off exponentially with jitter, capped at ``email.retry_max_seconds``. When the
server itself cannot be reached the whole outbox pauses on the same schedule, rather than every
email knocking on a closed door in turn.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Protocol

from kiosk.background import Worker
from kiosk.delivery.mailer import Mailer, Outcome, SendResult
from kiosk.delivery.message import MessageError, build_message
from kiosk.i18n import tr
from kiosk.store import outbox as q
from kiosk.store.hub.link import HubAway, HubRefused

if TYPE_CHECKING:
    import ssl
    from contextlib import AbstractContextManager

    from kiosk.config import Campaign
    from kiosk.config.devices import EmailSettings
    from kiosk.store import Store


class OutboxQueue(Protocol):
    """Where emails wait to be sent: this kiosk's own store (``kiosk.store.outbox.LocalQueue``)
    or the event's hub (``kiosk.store.hub.outbox.HubQueue``). Every time that decides anything
    (due, leases) is the queue's own clock, ``now()``: with a hub, never a kiosk's."""

    def session(self) -> AbstractContextManager[object]: ...
    def now(self) -> datetime: ...
    def counts(self) -> dict[str, int]: ...
    def next_due(self) -> datetime | None: ...
    def make_due_now(self) -> int: ...
    def claim(self, owner: str, lease_seconds: float, *,
              due_before: datetime | None = None) -> q.OutboxItem | None: ...
    def mark_sent(self, outbox_id: int, owner: str, *, code: int | None,
                  note: str | None = None) -> bool: ...
    def mark_failed(self, outbox_id: int, owner: str, *, error: str,
                    code: int | None) -> bool: ...
    def mark_retry(self, outbox_id: int, owner: str, *, delay: float, error: str,
                   code: int | None = None, unknown: bool = False) -> bool: ...
    def close(self) -> None: ...

log = logging.getLogger(__name__)


class ServerState(StrEnum):
    NOT_CONFIGURED = "not_configured"  # no email.host: everything stays queued
    DISABLED = "disabled"  # email.enabled = false: everything stays queued
    UNKNOWN = "unknown"  # not talked to the server yet
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"  # retrying with backoff
    BLOCKED = "blocked"  # login rejected, TLS missing...: staff must act


def pending(counts: dict[str, int]) -> int:
    """How many emails are on their way (``store.outbox.PENDING``), from counts by state."""
    return sum(counts[state] for state in q.PENDING)


def idle_state(settings: EmailSettings) -> ServerState:
    """What can be said of the mail server without talking to it."""
    if not settings.enabled:
        return ServerState.DISABLED
    if not settings.host:
        return ServerState.NOT_CONFIGURED
    return ServerState.UNKNOWN


@dataclass(frozen=True)
class OutboxCounts:
    queued: int = 0  # waiting, retrying, delivery unknown or being sent: not yet delivered
    held: int = 0
    failed: int = 0
    sent: int = 0
    cancelled: int = 0

    @classmethod
    def from_states(cls, n: dict[str, int]) -> OutboxCounts:
        return cls(pending(n), n[q.HELD], n[q.FAILED], n[q.SENT], n[q.CANCELLED])


@dataclass(frozen=True)
class OutboxStatus:
    server: ServerState
    counts: OutboxCounts
    last_error: str | None = None

    def describe(self, lang: str) -> str:
        """Two short lines for the staff panel or a terminal."""
        head = tr(f"email.status.{self.server}", lang, error=self.last_error or "")
        c = self.counts
        return head + "\n" + tr("email.status.counts", lang, queued=c.queued, held=c.held,
                                failed=c.failed, sent=c.sent)


@dataclass(frozen=True)
class DrainProgress:
    done: int
    total: int
    sent: int
    failed: int
    later: int  # will be retried (temporary failure or delivery unknown)
    last: SendResult | None = None


@dataclass(frozen=True)
class DrainResult:
    sent: int
    failed: int
    later: int
    held: int
    blocked: str | None = None  # why sending stopped (settings, login...), if it did

    @property
    def ok(self) -> bool:
        return not (self.failed or self.later or self.blocked)


def backoff(attempt: int, initial: float, cap: float, rng: random.Random) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from ``initial``, capped, with jitter.

    The jitter (between half and all of the delay) keeps several kiosks behind one mail server
    from retrying in lockstep after an outage.
    """
    delay: float = min(cap, initial * 2 ** max(0, attempt - 1))
    return delay / 2 + rng.uniform(0, delay / 2)


class OutboxService:
    """Sends the outbox. ``start()`` with the kiosk, ``wake()`` after keeping letters or a staff
    action, ``stop()`` on quit. ``status()`` is safe from any thread."""

    def __init__(
        self,
        campaign: Campaign,
        queue: OutboxQueue | Store,
        on_change: Callable[[OutboxStatus], None] | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ):
        """``queue``: where the emails wait; a ``Store`` means this kiosk's own outbox."""
        from kiosk.store import Store

        self.settings = campaign.email
        self.queue: OutboxQueue = q.LocalQueue(queue) if isinstance(queue, Store) else queue
        self.lang: str = campaign.campaign.default_language  # staff may choose another
        self._base_dir = campaign.source.parent if campaign.source else None
        self._ssl_context = ssl_context
        self._on_change = on_change
        self._owner = q.make_owner(uuid.uuid4().hex[:8])
        # Long enough that a live worker never loses a lease mid-send (every SMTP step has its
        # own timeout); a dead worker on this machine is noticed at once, by its pid.
        self.lease_seconds = 60.0 + 10 * self.settings.timeout_seconds
        self._rng = random.Random()
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()  # when recent sends started, for max_per_minute
        self._pause_until = 0.0  # monotonic; server-wide backoff or a blocked login
        self._server_failures = 0
        self._hub_failures = 0  # the queue at the event's hub could not be reached
        self._unsettled: list[Callable[[], bool]] = []  # verdicts the hub has not taken yet
        self._mailer: Mailer | None = None
        self._server = self._idle_state()  # what the last attempt showed
        self._last_error: str | None = None
        self._status = OutboxStatus(self._server, OutboxCounts())  # as last published
        self._worker = Worker("outbox", self._step, idle_seconds=30.0,
                              on_error=self._worker_error)

    # --- public ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._worker.stop(timeout)
        if not self._worker.running and self._mailer is not None:
            self._mailer.close()
            self._mailer = None

    def wake(self) -> None:
        """Look at the outbox now: new letters, a staff retry/release, settings fixed."""
        with self._lock:
            self._pause_until = 0.0
        self._worker.wake()

    def status(self) -> OutboxStatus:
        with self._lock:
            return self._status

    @property
    def running(self) -> bool:
        return self._worker.running

    def rate_wait(self) -> float:
        """Seconds before the next send may start under ``max_per_minute`` (0.0: now)."""
        return self._rate_wait()

    def drain(self, progress: Callable[[DrainProgress], None] | None = None) -> DrainResult:
        """Send everything waiting, now, on the calling thread (``outbox send``).

        Emails in backoff are brought forward; each is tried once. Temporary failures are
        rescheduled as usual and counted in ``later``. Stops early if the settings block sending.
        """
        queue = self.queue
        with queue.session():
            if self._idle_state() in (ServerState.NOT_CONFIGURED, ServerState.DISABLED):
                self._publish(queue)
                n = OutboxCounts.from_states(queue.counts())
                why = tr(f"email.status.{self._idle_state()}", self.lang, error="")
                return DrainResult(0, 0, n.queued, n.held, blocked=why)
            self._settle_waiting()
            queue.make_due_now()
            cutoff = queue.now()
            states = queue.counts()
            total = pending(states)
            sent = failed = later = done = 0
            blocked = None
            mailer = self._new_mailer()
            try:
                while True:
                    wait = self._rate_wait()
                    if wait > 0:
                        due = queue.next_due()
                        if due is None or due > cutoff:
                            break  # nothing left to send: no reason to wait for the limit
                        time.sleep(wait)  # the foreground drain may wait; max_per_minute holds
                        continue
                    item = queue.claim(self._owner, self.lease_seconds, due_before=cutoff)
                    if item is None:
                        break
                    result = self._send(queue, item, mailer)
                    done += 1
                    total = max(total, done)
                    if result.outcome is Outcome.SENT:
                        sent += 1
                    elif result.outcome is Outcome.FAILED:
                        failed += 1
                    else:
                        later += 1
                    if progress:
                        progress(DrainProgress(done, total, sent, failed, later, result))
                    if result.outcome is Outcome.BLOCKED:
                        blocked = result.detail
                        break
            finally:
                mailer.close()
            states = queue.counts()
            self._publish(queue)
            left = pending(states)
            return DrainResult(sent, failed, max(later, left), states[q.HELD], blocked)

    # --- the worker's step -----------------------------------------------------------------------

    def _idle_state(self) -> ServerState:
        return idle_state(self.settings)

    def _new_mailer(self) -> Mailer:
        return Mailer(self.settings, lang=self.lang, base_dir=self._base_dir,
                      ssl_context=self._ssl_context)

    def _step(self) -> float | None:
        # A connection per step: SQLite connections belong to the thread that made them, and
        # stop() must be able to let go of everything without reaching into this thread.
        try:
            if self._idle_state() in (ServerState.NOT_CONFIGURED, ServerState.DISABLED):
                with self.queue.session():
                    self._publish(self.queue)
                return None  # nothing to do until settings change (a restart)
            return self._send_next()
        except (HubAway, HubRefused) as e:
            # The emails wait at the hub; whoever can reach it sends them. Ask again later,
            # and let staff see why nothing moves (the counts are the last ones read).
            text = " ".join(e.lines()) if isinstance(e, HubRefused) else str(e)
            with self._lock:
                self._hub_failures += 1
                self._last_error = text
                pause = backoff(self._hub_failures, 1.0, 60.0, self._rng)
                new = OutboxStatus(self._status.server, self._status.counts, text)
                changed = new != self._status
                self._status = new
            log.warning("outbox: the hub cannot be used now (%s); next try in %.0f s", text, pause)
            if changed and self._on_change is not None:
                self._on_change(new)
            return pause

    def _send_next(self) -> float | None:
        queue = self.queue
        with queue.session():
            self._settle_waiting()
            with self._lock:
                self._hub_failures = 0
                paused = self._pause_until - time.monotonic()
            if paused > 0:
                self._publish(queue)
                return paused
            wait = self._rate_wait()
            if wait > 0:
                return wait
            item = queue.claim(self._owner, self.lease_seconds)
            if item is None:
                if self._mailer is not None:  # no idle connection held open for hours
                    self._mailer.close()
                self._publish(queue)
                due = queue.next_due()
                if due is None:
                    return None
                return max(0.05, (due - queue.now()).total_seconds())
            if self._mailer is None:
                self._mailer = self._new_mailer()
            self._send(queue, item, self._mailer)
            self._publish(queue)
            return 0.0

    def _settle_waiting(self) -> None:
        """Record the verdicts a dropped link kept from the hub, oldest first (HubAway again
        keeps the rest for the next round)."""
        while True:
            with self._lock:
                if not self._unsettled:
                    return
                settle = self._unsettled[0]
            if not settle():
                log.warning("outbox: a kept verdict came too late: the lease was lost")
            with self._lock:
                self._unsettled.pop(0)

    def _rate_wait(self) -> float:
        """Seconds to wait so that no more than max_per_minute sends start in any 60 s."""
        now = time.monotonic()
        with self._lock:
            while self._recent and now - self._recent[0] >= 60.0:
                self._recent.popleft()
            if len(self._recent) < self.settings.max_per_minute:
                return 0.0
            return self._recent[0] + 60.0 - now

    def _send(self, queue: OutboxQueue, item: q.OutboxItem, mailer: Mailer) -> SendResult:
        """Build, send and record one claimed email. Never leaves the row in ``sending``."""
        with self._lock:
            self._recent.append(time.monotonic())
        try:
            msg, envelope = build_message(item, self.settings)
        except MessageError as e:
            result = SendResult(Outcome.FAILED, detail=tr("email.error.build", self.lang,
                                                          reason=e.describe(self.lang)))
        else:
            try:
                result = mailer.send(msg, envelope)
            except Exception as e:  # a bug, not the server: give the row back, keep the worker
                log.exception("outbox: unexpected error sending email %s", item.id)
                mailer.close()
                result = SendResult(Outcome.UNKNOWN, detail=f"{e.__class__.__name__}: {e}")
        self._record(queue, item, result)
        return result

    def _record(self, queue: OutboxQueue, item: q.OutboxItem, result: SendResult) -> None:
        s = self.settings
        server = ServerState.REACHABLE
        error: str | None = None
        settle: Callable[[], bool]
        if result.outcome is Outcome.SENT:
            settle = partial(queue.mark_sent, item.id, self._owner, code=result.code,
                             note=result.note)
        elif result.outcome is Outcome.FAILED:
            settle = partial(queue.mark_failed, item.id, self._owner, error=result.detail,
                             code=result.code)
            error = result.detail
        elif result.outcome is Outcome.BLOCKED:
            # The email is fine; the settings are not. Wait long, and say so.
            server, error = ServerState.BLOCKED, result.detail
            settle = partial(queue.mark_retry, item.id, self._owner, error=result.detail,
                             code=result.code, delay=s.retry_max_seconds)
            with self._lock:
                self._pause_until = time.monotonic() + s.retry_max_seconds
        else:
            delay = backoff(item.attempts, s.retry_initial_seconds, s.retry_max_seconds, self._rng)
            settle = partial(queue.mark_retry, item.id, self._owner, error=result.detail,
                             code=result.code, delay=delay,
                             unknown=result.outcome is Outcome.UNKNOWN)
            error = result.detail
            if result.unreachable:
                server = ServerState.UNREACHABLE
        try:
            ok = settle()
        except HubAway:
            # The verdict could not reach the hub (the email may well be on its way): it is
            # kept and settled first thing next round, while the lease still holds, so that a
            # sent email is not taken for an interrupted one and sent again.
            with self._lock:
                self._unsettled.append(settle)
            raise
        with self._lock:
            if server is ServerState.UNREACHABLE:
                self._server_failures += 1
                pause = backoff(self._server_failures, s.retry_initial_seconds,
                                s.retry_max_seconds, self._rng)
                self._pause_until = max(self._pause_until, time.monotonic() + pause)
            elif server is ServerState.REACHABLE:
                self._server_failures = 0
            self._server, self._last_error = server, error
        if not ok:
            log.warning("outbox: lost the lease on email %s before recording %s",
                        item.id, result.outcome)
        log.info("outbox: email %s %s%s", item.id, result.outcome,
                 f" ({result.detail})" if result.outcome is not Outcome.SENT else "")

    def _publish(self, queue: OutboxQueue) -> None:
        counts = OutboxCounts.from_states(queue.counts())
        with self._lock:
            idle = self._idle_state()
            server = self._server if idle is ServerState.UNKNOWN else idle
            new = OutboxStatus(server, counts, self._last_error)
            changed = new != self._status
            self._status = new
        if changed and self._on_change is not None:
            try:
                self._on_change(new)
            except Exception:  # the listener's bug must not stop the outbox
                log.exception("outbox: on_change listener failed")

    def _worker_error(self, e: BaseException) -> None:
        with self._lock:
            self._last_error = f"{e.__class__.__name__}: {e}"
