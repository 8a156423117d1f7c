"""The event's hub, from this kiosk: uploading its letters, in the background, losing none.

The kiosk stays the durable buffer. A confirmed letter is committed here first, as without a
hub; the uploader then sends the oldest letters in batches, each batch one transaction at the
hub, and marks them uploaded only after the hub's COMMIT. A kiosk that starts with the hub down,
or loses it for a day, keeps taking letters and catches up by itself: the uploader retries with
a growing pause (up to a minute), and a wake (a new letter) tries at once.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.background import Worker
from kiosk.store.hub.link import HubAway, HubRefused

if TYPE_CHECKING:
    import psycopg

    from kiosk.app.context import Context
    from kiosk.config import Campaign
    from kiosk.config.hub import HubSettings
    from kiosk.exports import ExportResult
    from kiosk.store.hub.listen import HubListener
    from kiosk.store.hub.overview import Overview, SeenKiosk
    from kiosk.store.stats import Counts

log = logging.getLogger(__name__)

BATCH = 100  # letters a transaction at the hub
LONGEST_PAUSE = 60.0  # seconds between tries while the hub is away


@dataclass(frozen=True)
class EventView:
    """The whole event as the hub holds it, for a staff panel."""

    counts: Counts  # letters by recipient, channel and language (today, or all)
    kiosks: list[SeenKiosk]  # name, last seen (hub's clock), letters not yet at the hub, printer
    emails: dict[str, int]  # the hub's outbox, by state


@dataclass(frozen=True)
class HubStatus:
    state: str  # "off" (no hub), "unknown" (not tried yet), "up", "away", "refused"
    waiting: int = 0  # letters not at the hub yet
    last_upload: datetime | None = None  # this kiosk's clock: for its own staff only
    detail: str = ""  # why away or refused, for staff (never a password: libpq has none)


class Hub:
    def __init__(self, ctx: Context, printer_state: Callable[[], str] = lambda: ""):
        self._ctx = ctx
        self._printer_state = printer_state  # this kiosk's printer, as staff elsewhere see it
        self.settings = ctx.campaign.hub
        self.name = self.settings.kiosk_name or socket.gethostname()[:40] or "kiosk"
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._lock = threading.Lock()
        self._status = HubStatus("unknown" if self.settings.enabled else "off")
        self._failures = 0
        self._worker: Worker | None = None
        self._on_change: Callable[[HubStatus], None] | None = None
        self._listener: HubListener | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    @property
    def url(self) -> str:
        return self.settings.url

    # --- the uploader --------------------------------------------------------------------------

    def start(self, on_change: Callable[[HubStatus], None] | None = None) -> None:
        if not self.enabled or self._worker is not None:
            return
        self._on_change = on_change
        # Idle as long as the longest pause: _step itself asks for upload_seconds when all is well.
        self._worker = Worker("hub-upload", self._step, idle_seconds=LONGEST_PAUSE,
                              on_error=lambda e: self._publish(state="away", detail=str(e)))
        self._worker.start()

    def wake(self) -> None:
        if self._worker is not None:
            self._failures = 0  # new letters: try now, not after the pause
            self._worker.wake()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._worker is not None:
            self._worker.stop(timeout=2 * self.settings.timeout_seconds + 2)
            self._worker = None
        self._close()

    def follow(self) -> int:
        """Move this kiosk's waiting emails to where the campaign now sends them: to the hub
        with their letters, or back to this kiosk when the hub was switched off (see
        ``kiosk.store.uploads.follow_the_hub``). Once at start-up."""
        from kiosk.store.uploads import follow_the_hub

        campaign = self._ctx.campaign
        return follow_the_hub(self._ctx.store, campaign.campaign.id, hub=self.enabled,
                              held=campaign.email.hold_for_review)

    # --- the event, live -----------------------------------------------------------------------

    def watch(self, on_changed: Callable[[], None]) -> None:
        """Call ``on_changed()`` (on a thread of the hub's) whenever something changed at the hub
        (a letter from any kiosk, an email sent, a kiosk seen), and once each time the link
        comes back; then ask ``event()`` again. Nothing without a hub."""
        if not self.enabled or self._listener is not None:
            return
        from kiosk.store.hub.listen import HubListener

        self._listener = HubListener(self.url, timeout=self.settings.timeout_seconds,
                                     name=self.name, on_changed=on_changed)
        self._listener.start()

    def event(self, *, today: bool) -> EventView:
        """The event's counts, kiosks and outbox, read at the hub in one go (on the caller's
        thread: the UI asks through its staff-actions line). Raises HubAway or HubRefused."""
        from kiosk.store.hub.link import deadline, talking
        from kiosk.store.hub.overview import event_counts, overview

        offset = datetime.now().astimezone().utcoffset() if today else None
        conn = _admin_connection(self.settings, f"{self.name} (staff panel)")
        try:
            with talking(self.url), deadline(conn, self.settings.timeout_seconds + 5):
                seen = overview(conn)
                counts = event_counts(conn, utc_offset_seconds=None if offset is None
                                      else int(offset.total_seconds()))
        finally:
            conn.close()
        return EventView(counts, seen.kiosks, seen.emails)

    def status(self) -> HubStatus:
        with self._lock:
            return self._status

    def upload_now(self) -> int:
        """Send every letter not at the hub yet, on the calling thread; returns how many went.
        Raises HubAway (try later) or HubRefused (staff must act)."""
        sent = 0
        while True:
            n, more = self._upload_batch()
            sent += n
            if not more:
                return sent

    def _step(self) -> float | None:
        with self._ctx.store.thread_connection():
            try:
                self.upload_now()
            except HubAway as e:
                return self._pause(e, "away")
            except HubRefused as e:
                # Staff must act (credentials, schema...): ask again, slowly, in case they did.
                return self._pause(e, "refused", detail=" ".join(e.lines()))
        self._failures = 0
        return self.settings.upload_seconds  # the next round, and the heartbeat

    def _pause(self, e: Exception, state: str, detail: str = "") -> float:
        self._close()
        self._failures += 1
        pause = min(LONGEST_PAUSE, 2.0 ** min(self._failures, 6))
        log.warning("hub %s: %s; next try in %.0f s", state, detail or e, pause)
        self._publish(state=state, detail=detail or str(e))
        return pause

    def _upload_batch(self) -> tuple[int, bool]:
        from kiosk.store import uploads
        from kiosk.store.hub import letters as hub_letters
        from kiosk.store.hub.link import deadline, talking

        store = self._ctx.store
        email_state = "held" if self._ctx.campaign.email.hold_for_review else "queued"
        campaign_id = self._ctx.campaign.campaign.id
        letters, emails = uploads.waiting(store, campaign_id, BATCH, email_state=email_state)
        left = uploads.count_waiting(store, campaign_id) - len(letters)
        conn = self._connection()
        # A failure may be the COMMIT's answer lost: the next try finds the letters there and
        # adds nothing.
        with talking(self.url), deadline(conn, self.settings.timeout_seconds + 5):
            arrived = hub_letters.receive(
                conn, kiosk_id=store.kiosk_id, kiosk_name=self.name, not_uploaded=left,
                letters=letters, emails=emails, printer=self._printer_state())
        uploads.mark_uploaded(store, [x.id for x in letters])
        if arrived.conflicts:
            log.error("the hub already had %d letter(s) of this kiosk with other content; "
                      "kept aside there for staff", len(arrived.conflicts))
        self._publish(state="up", detail="", waiting=left,
                      last_upload=datetime.now(UTC) if letters else None)
        return len(letters), left > 0

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        from kiosk.store.hub.link import connect, talking
        from kiosk.store.hub.schema import check

        conn = connect(self.url, timeout=self.settings.timeout_seconds, name=self.name)
        try:
            with talking(self.url):
                conn.autocommit = True  # each upload is its own transaction
                check(conn, self.url)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead link: nothing to close cleanly
                log.debug("closing the hub connection failed", exc_info=True)

    def _publish(self, *, state: str, detail: str, waiting: int | None = None,
                 last_upload: datetime | None = None) -> None:
        with self._lock:
            old = self._status
            if waiting is None:
                from kiosk.store import uploads

                try:
                    # Also from the worker's error path: a connection of its own for this.
                    with self._ctx.store.thread_connection():
                        waiting = uploads.count_waiting(self._ctx.store,
                                                        self._ctx.campaign.campaign.id)
                except Exception:
                    waiting = old.waiting
            new = replace(old, state=state, detail=detail, waiting=waiting,
                          last_upload=last_upload or old.last_upload)
            self._status = new
        if new != old and self._on_change:
            self._on_change(new)

    # --- staff commands ------------------------------------------------------------------------

    def init(self) -> tuple[int, int]:
        """Create or move on the hub's tables (``hub init``); returns (before, after)."""
        return init_hub(self.settings, self.name)


def _admin_connection(settings: HubSettings, name: str, *,
                      owner: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    from kiosk.store.hub.link import connect

    conn = connect(settings.url, timeout=settings.timeout_seconds, name=name,
                   statement_timeout=not owner)
    conn.autocommit = True
    return conn


def init_hub(settings: HubSettings, name: str = "hub init") -> tuple[int, int]:
    """Create or move on the hub's tables; returns the versions (before, after). Needs no kiosk
    store: it may run on the hub's own machine."""
    from kiosk.store.hub.link import talking
    from kiosk.store.hub.schema import init

    conn = _admin_connection(settings, name, owner=True)
    try:
        with talking(settings.url):
            return init(conn, settings.url)
    finally:
        conn.close()


def hub_overview(settings: HubSettings, name: str = "hub status") -> Overview:
    """The hub's version, the kiosks it has seen, its letters and emails (``hub status``)."""
    from kiosk.store.hub.link import talking
    from kiosk.store.hub.overview import overview

    conn = _admin_connection(settings, name)
    try:
        with talking(settings.url):
            return overview(conn)
    finally:
        conn.close()


def export_hub(campaign: Campaign, out_dir: Path, *, lang: str,
               now: datetime | None = None) -> ExportResult:
    """The whole event's export (``hub export``): counts.csv, letters.pdf and opt-ins.csv as a
    kiosk's, from one snapshot of the hub, with each kiosk's letters not yet there in the
    counts. Needs the hub's owner."""
    from kiosk.exports import ExportData, find_font, write_export
    from kiosk.store.hub.link import talking
    from kiosk.store.hub.records import audit, export_rows

    now = now or datetime.now(UTC)
    find_font(lang)  # before anything is read or written
    offset = now.astimezone().utcoffset()
    conn = _admin_connection(campaign.hub, "hub export", owner=True)
    try:
        with talking(campaign.hub.url):
            today, everything, letters, left_out, opt_ins, waiting = export_rows(
                conn, utc_offset_seconds=int(offset.total_seconds()) if offset else 0)
            audit(conn, "cli", "export",
                  f"letters {len(letters)}, opt-ins {len(opt_ins)}, to {out_dir}")
    finally:
        conn.close()
    more = [["campaign", "not_yet_at_hub", name, n] for name, n in waiting]
    data = ExportData(today, everything, letters, left_out, opt_ins, more)
    return write_export(campaign, data, out_dir, lang=lang, now=now)


def purge_hub(campaign: Campaign, days: int | None = None) -> tuple[int, int]:
    """Remove visitors' details at the hub from letters there ``days`` (default: the campaign's
    retention) or more whose emails are finished (``hub purge``); returns (letters, days)."""
    from kiosk.domain.letter import Signer, SignMode
    from kiosk.store.hub.link import talking
    from kiosk.store.hub.records import purge_personal_details

    days = campaign.staff.retention_days if days is None else days
    neutral = {lang: Signer(mode=SignMode.ANONYMOUS).display_name(lang)
               for lang in campaign.languages}
    conn = _admin_connection(campaign.hub, "hub purge", owner=True)
    try:
        with talking(campaign.hub.url):
            n = purge_personal_details(conn, days=days, neutral_signature=neutral, actor="cli")
    finally:
        conn.close()
    return n, days
