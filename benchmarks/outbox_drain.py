"""Draining the email outbox into a local aiosmtpd server, against a bare smtplib loop.

Both sides send the same 1,000 messages (the kiosk's own bytes) to the same server, one after
the other, several times, alternating which goes first. The kiosk's drain records each result
in the store as it goes (claim under a lease, then sent/failed/retry), which is its promise;
the baseline records nothing and reuses one connection.
"""

from __future__ import annotations

import logging
import shutil
import smtplib
import tempfile
import time
from pathlib import Path

from benchmarks._common import Figures, Result, write_campaign

EMAILS = 1000


def _queue(store, campaign, n: int) -> None:
    """``n`` emails kept exactly as the kiosk keeps them (one letter, one email per visitor)."""
    from kiosk.app.letters import keep_letters
    from kiosk.domain.journey import Delivery, Journey

    j = Journey(campaign)
    j.start()
    j.set_language("fr")
    j.toggle_recipient("pm")
    j.next()
    j.update(body="Veuillez protéger ces hommes. « Maintenant » — œuvre ! Ça presse. " * 8)
    j.next()
    j.update(first_name="Zoë", last_name="Çelik", email="zoe@example.com")
    j.next()
    j.next()
    letters = j.letters()
    store.conn.execute("PRAGMA synchronous=OFF")  # filling the queue is not what is timed
    for _ in range(n):
        import uuid

        j.session.id = uuid.uuid4().hex
        keep_letters(store, campaign, j.session, letters, Delivery(print=False, email=True))
    store.conn.execute("PRAGMA synchronous=FULL")


def _payloads(store, settings) -> list[tuple[str, str, bytes]]:
    from kiosk.delivery.message import build_message, message_bytes
    from kiosk.store import outbox as q

    out = []
    for item in q.list_items(store, ["queued"]):
        msg, env = build_message(item, settings)
        out.append((env.mail_from, env.recipient, message_bytes(msg)))
    return out


def bare_loop(host: str, port: int, payloads) -> float:
    """Seconds for smtplib to send every payload over one connection; nothing recorded."""
    t0 = time.perf_counter()
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        for mail_from, rcpt, data in payloads:
            smtp.sendmail(mail_from, [rcpt], data)
    return time.perf_counter() - t0


def drain_once(campaign, template: Path, work: Path) -> tuple[float, int]:
    from kiosk.delivery.outbox import OutboxService
    from kiosk.store import open_store

    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    t0 = time.perf_counter()
    # Opening the store is timed, as it was when the drain opened its own.
    store = open_store(work)
    try:
        result = OutboxService(campaign, store).drain()
    finally:
        store.close()
    elapsed = time.perf_counter() - t0
    return elapsed, result.sent


def outbox_drain(rounds: int, command: str, emails: int = EMAILS) -> Result:
    from kiosk.app.preflight import load_campaign
    from kiosk.store import Store
    from kiosk.store import outbox as q
    from tests.support.peers.smtp_server import FaultySMTPServer

    logging.getLogger("kiosk").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-drain-") as tmp, FaultySMTPServer() as server:
        tmp_path = Path(tmp)
        campaign = load_campaign(write_campaign(tmp_path / "campaign", email={
            "enabled": True, "host": server.host, "port": server.port, "security": "none",
            "sender_address": "letters@example.org", "sender_name": "Write for Safe Haven",
            "max_per_minute": 1000, "hold_for_review": False, "timeout_seconds": 10,
        }))
        template = tmp_path / "queued"
        store = Store(template)
        _queue(store, campaign, emails)
        payloads = _payloads(store, campaign.email)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        kiosk_rates, bare_rates = [], []
        bare_loop(server.host, server.port, payloads[:50])  # warm both paths up
        drain_once(campaign, template, tmp_path / "warm")
        for r in range(rounds):
            order = ("kiosk", "bare") if r % 2 == 0 else ("bare", "kiosk")
            for side in order:
                if side == "bare":
                    seconds = bare_loop(server.host, server.port, payloads)
                    bare_rates.append(len(payloads) / seconds)
                else:
                    seconds, sent = drain_once(campaign, template, tmp_path / "work")
                    assert sent == emails, f"drain sent {sent} of {emails}"
                    kiosk_rates.append(emails / seconds)
        check = Store(tmp_path / "work")
        states = q.counts(check)
        check.close()
        assert states["sent"] == emails, states
    k, b = Figures(kiosk_rates, "emails/s"), Figures(bare_rates, "emails/s")
    ratio = k.median / b.median
    return Result(
        name=f"draining {emails:,} queued emails into aiosmtpd",
        goal="≥ 0.8× a bare smtplib loop's throughput",
        measured=f"{k.median:.0f} emails/s (median)",
        baseline=f"{b.median:.0f} emails/s (median, bare smtplib, one connection)",
        ratio=f"{ratio:.2f}×",
        met=ratio >= 0.8,
        command=command,
        notes=[f"kiosk drain: {k.line()}", f"bare loop:   {b.line()}",
               f"every email's result recorded: {states['sent']} rows 'sent' after the last run"],
        raw={"kiosk": k.as_dict(), "bare": b.as_dict(), "ratio": ratio},
    )
