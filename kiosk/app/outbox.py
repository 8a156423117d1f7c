"""The email outbox: its worker, its status, and what staff do with emails.

Every staff change is one transaction with its audit row (``kiosk.store.outbox``); a change
the email's state no longer allows (it was sent meanwhile, say) raises ``ActionRefused``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kiosk.store import outbox as q

if TYPE_CHECKING:
    from kiosk.app.context import Context
    from kiosk.config import Campaign
    from kiosk.delivery.outbox import DrainProgress, DrainResult, OutboxService, OutboxStatus
    from kiosk.store.hub.outbox import HubQueue
    from kiosk.store.outbox import LocalQueue, OutboxItem

OPEN = list(q.OPEN)  # not over yet: what staff look after
HELD = q.HELD  # waiting for staff to release or reject it
ActionRefused = q.ActionRefused


def hub_queue(campaign: Campaign, name: str | None = None) -> HubQueue:
    """The event's outbox at the hub, for a sender named ``name`` (default: this kiosk's)."""
    import socket

    from kiosk.store.hub.outbox import HubQueue

    settings = campaign.hub
    who = name or settings.kiosk_name or socket.gethostname()[:40] or "kiosk"
    return HubQueue(settings.url, timeout=settings.timeout_seconds, name=who)


class Outbox:
    def __init__(self, ctx: Context):
        self._ctx = ctx
        self.worker: OutboxService | None = None

    # --- the worker ------------------------------------------------------------------------

    def start(self, on_change: Callable[[OutboxStatus], None] | None = None) -> None:
        """Start sending in the background (smtplib loads here, not before)."""
        if self.worker is None:
            self.worker = self._service(on_change)
            self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def wake(self) -> None:
        if self.worker is not None:
            self.worker.wake()

    def status(self) -> OutboxStatus:
        """As the worker last saw it; without a worker (a terminal), the counts now and what
        the settings say of the server."""
        from kiosk.delivery.outbox import OutboxCounts, OutboxStatus, idle_state

        if self.worker is not None:
            return self.worker.status()
        counts = OutboxCounts.from_states(q.counts(self._ctx.store))
        return OutboxStatus(idle_state(self._ctx.campaign.email), counts)

    def warnings(self) -> list[str]:
        """What in the email settings staff should look at (a password file readable by all)."""
        campaign = self._ctx.campaign
        return campaign.email.warnings(campaign.source.parent if campaign.source else None)

    def send_now(self, lang: str,
                 progress: Callable[[DrainProgress], None] | None = None) -> DrainResult:
        """Send what is waiting, now, on the calling thread; messages in ``lang``."""
        service = self._service(None)
        service.lang = lang
        try:
            return service.drain(progress=progress)
        finally:
            service.queue.close()

    def _service(self, on_change: Callable[[OutboxStatus], None] | None) -> OutboxService:
        """The sending worker over this kiosk's outbox, or over the hub's when the campaign
        has one: the hub sends every email once, whichever machine with the mail server's
        password drains it."""
        from kiosk.delivery.outbox import OutboxService

        campaign = self._ctx.campaign
        if campaign.hub.enabled:
            return OutboxService(campaign, hub_queue(campaign), on_change=on_change)
        return OutboxService(campaign, self._ctx.store, on_change=on_change)

    # --- staff actions ---------------------------------------------------------------------
    # On this kiosk's outbox, or on the event's at the hub when the campaign has one: there the
    # emails of every kiosk wait, and staff at any kiosk (or a terminal) look after them.

    @contextmanager
    def _staff_queue(self) -> Iterator[LocalQueue | HubQueue]:
        if not self._ctx.campaign.hub.enabled:
            yield q.LocalQueue(self._ctx.store)
            return
        queue = hub_queue(self._ctx.campaign)
        try:
            yield queue
        finally:
            queue.close()

    def items(self, states: list[str] | None = None) -> list[OutboxItem]:
        """Works on a store opened for reading."""
        with self._staff_queue() as queue:
            return queue.items(states)

    def held(self) -> list[OutboxItem]:
        return self.items([q.HELD])

    def retry(self, outbox_id: int) -> None:
        """Send this email again now. Raises ActionRefused for one already sent or sending."""
        with self._staff_queue() as queue:
            queue.retry(outbox_id, actor=self._ctx.actor)
        self.wake()

    def retry_failed(self) -> int:
        with self._staff_queue() as queue:
            n = queue.retry_failed(actor=self._ctx.actor)
        self.wake()
        return n

    def cancel(self, outbox_id: int) -> None:
        """Never send this email. Raises ActionRefused while it is being sent or once sent."""
        with self._staff_queue() as queue:
            queue.cancel(outbox_id, actor=self._ctx.actor)

    def release(self, ids: list[int] | None = None) -> int:
        """Let held emails go: all of them, or those ``ids``; returns how many."""
        with self._staff_queue() as queue:
            n = queue.release(ids, actor=self._ctx.actor)
        self.wake()
        return n
