"""The event hub's outbox: 1,000 emails at the hub drained by ``OutboxService`` over ``HubQueue``
into an SMTP server behind a proxy that adds 20 ms to every reply, against a bare smtplib loop
sending the same bytes through the same proxy over one connection; and the same on localhost.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks._common import SAMPLE, Figures, Result
from benchmarks.hub_common import (
    LINK_DELAY,
    at_hub,
    hub_campaign,
    hub_template,
    hub_url,
    make_store,
    new_database,
    postgres_cluster,
    server_version,
)

# --- 2. the hub's outbox ------------------------------------------------------------------------


def _mail_campaign(campaign: Any, url: str, port: int) -> Any:
    email = campaign.email.model_validate({
        **campaign.email.model_dump(), "enabled": True, "host": "127.0.0.1", "port": port,
        "security": "none", "username": None, "password_env": None, "password_file": None,
        "sender_address": "letters@example.org", "sender_name": "Write for Safe Haven",
        "timeout_seconds": 10.0, "max_per_minute": 1000, "hold_for_review": False})
    return hub_campaign(campaign, url, "Hall A", timeout_seconds=10.0).model_copy(
        update={"email": email})


def _payloads(folder: Path, campaign: Any) -> list[tuple[str, list[str], bytes, str]]:
    """Each email's envelope and bytes as the kiosk builds them, and its Message-ID."""
    from kiosk.delivery.message import build_message, message_bytes
    from kiosk.store import open_store
    from kiosk.store import outbox as q

    store = open_store(folder)
    try:
        items = q.list_items(store, ["hub"])
    finally:
        store.close()
    out = []
    for item in items:
        msg, env = build_message(item, campaign.email)
        rcpts = [env.recipient, *([env.copy_to] if env.copy_to else [])]
        out.append((env.mail_from, rcpts, message_bytes(msg), item.message_id))
    return out


def _bare_send(host: str, port: int, payloads: list[tuple[str, list[str], bytes, str]]) -> float:
    """Seconds for smtplib to send every payload over one connection; nothing recorded."""
    import smtplib

    t0 = time.perf_counter()
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        for mail_from, rcpts, data, _mid in payloads:
            smtp.sendmail(mail_from, rcpts, data)
    return time.perf_counter() - t0


def _hub_drain(cluster: Any, template: str, campaign: Any, port: int) -> tuple[float, str]:
    """Seconds for ``OutboxService.drain()`` over the hub's queue (a fresh copy of the
    template's 1,000 emails); the database, to check."""
    from kiosk.app.outbox import hub_queue
    from kiosk.delivery.outbox import OutboxService

    db = new_database(cluster, template)
    c = _mail_campaign(campaign, hub_url(cluster, db), port)
    t0 = time.perf_counter()
    queue = hub_queue(c, name="bench sender")
    try:
        result = OutboxService(c, queue).drain()
    finally:
        queue.close()
    seconds = time.perf_counter() - t0
    assert (result.failed, result.later, result.blocked) == (0, 0, None), result
    return seconds, db


def hub_drain(rounds: int, command: str, *, emails: int = 1000, local_rounds: int = 3) -> Result:
    from kiosk.app.context import STAFF
    from kiosk.app.core import Kiosk
    from kiosk.app.preflight import load_campaign
    from kiosk.store import open_store
    from tests.support.peers.flaky_smtp import FlakyServer
    from tests.support.tcp_proxy import TcpProxy

    logging.getLogger("kiosk").setLevel(logging.WARNING)
    base = load_campaign(SAMPLE)
    with (tempfile.TemporaryDirectory(prefix="bench-hub-drain-") as tmp,
          postgres_cluster() as cluster, FlakyServer() as smtp,
          TcpProxy(("127.0.0.1", smtp.port)) as proxy):
        tmp_path = Path(tmp)
        server = server_version(cluster)
        proxy.delay(LINK_DELAY, "server_to_client")
        # The emails at the hub, as a kiosk uploads them: the template every run copies.
        template = hub_template(cluster, base)
        c = _mail_campaign(base, hub_url(cluster, template), smtp.port)
        folder = tmp_path / "kiosk"
        make_store(folder, c, emails, visitor_email=False)
        core = Kiosk(c, folder, open_store(folder), actor=STAFF)
        try:
            assert core.hub.upload_now() == emails
        finally:
            core.close()
        payloads = _payloads(folder, c)
        assert len(payloads) == emails
        ids = Counter(p[3] for p in payloads)

        def kiosk_run(port: int) -> float:
            with smtp.lock:
                smtp.received.clear()
            seconds, db = _hub_drain(cluster, template, base, port)
            states = at_hub(cluster, db, "SELECT state, count(*) FROM outbox GROUP BY state")
            assert states == [("sent", emails)], states
            with smtp.lock:
                got = Counter(smtp.received)
            assert got == ids, "every email arrived once"
            cluster.drop_database(db)
            return seconds

        kiosk_run(smtp.port)  # a run of each, not counted: imports, caches
        figures: dict[str, tuple[list[float], list[float]]] = {}
        for where, port, n in (("link", proxy.port, rounds), ("local", smtp.port, local_rounds)):
            _bare_send("127.0.0.1", port, payloads[:20])
            kiosk_rates, bare_rates = [], []
            for r in range(n):
                order = ("kiosk", "bare") if r % 2 == 0 else ("bare", "kiosk")
                for side in order:
                    if side == "bare":
                        bare_rates.append(emails / _bare_send("127.0.0.1", port, payloads))
                    else:
                        kiosk_rates.append(emails / kiosk_run(port))
            figures[where] = kiosk_rates, bare_rates
    k, b = (Figures(v, "emails/s") for v in figures["link"])
    lk, lb = (Figures(v, "emails/s") for v in figures["local"])
    ratio, local_ratio = k.median / b.median, lk.median / lb.median
    ms = LINK_DELAY * 1000
    return Result(
        name=f"the hub's outbox drained through a {ms:.0f} ms link",
        goal="≥ 0.8× a bare smtplib loop through the same link",
        measured=f"{emails:,} emails: {k.median:.1f} emails/s (median); localhost "
                 f"{lk.median:.0f} emails/s ({local_ratio:.2f}×)",
        baseline=f"{b.median:.1f} emails/s (median, bare smtplib, one connection); "
                 f"localhost {lb.median:.0f} emails/s",
        ratio=f"{ratio:.2f}×",
        met=ratio >= 0.8,
        command=command,
        notes=[f"through the link (+{ms:.0f} ms on every server→client chunk):",
               f"  hub drain: {k.line()}",
               f"  bare loop: {b.line()}",
               f"localhost (no proxy), ratio {local_ratio:.2f}×:",
               f"  hub drain: {lk.line()}",
               f"  bare loop: {lb.line()}",
               f"every run checked: {emails:,} rows 'sent' at the hub, each Message-ID "
               f"received once",
               f"{server} on 127.0.0.1 (fsync off), a fresh copy of the hub each run; "
               f"the SMTP server (aiosmtpd) and the proxy in the benchmark's process"],
        raw={"link": {"kiosk": k.as_dict(), "bare": b.as_dict(), "ratio": ratio},
             "local": {"kiosk": lk.as_dict(), "bare": lb.as_dict(), "ratio": local_ratio},
             "postgresql": server},
    )
