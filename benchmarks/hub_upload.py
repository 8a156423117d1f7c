"""The event hub's uploads: 10 kiosk processes (``benchmarks.hub_kiosk``), each with its own
SQLite store of 500 kept letters with their emails, uploading at once (``Hub.upload_now``),
against a bare psycopg loop inserting the same rows over one connection, one transaction per 100
letters; then one kiosk holding 5,000 letters catching up when the hub comes back.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, SAMPLE, Figures, Result
from benchmarks.hub_common import (
    at_hub,
    hub_campaign,
    hub_template,
    hub_url,
    make_store,
    new_database,
    postgres_cluster,
    server_version,
)

# --- 1. uploads ---------------------------------------------------------------------------------

_BARE_LETTER = "INSERT INTO letters ({}) VALUES ({})"
_BARE_EMAIL = ("INSERT INTO outbox (letter_uuid, message_id, to_addr, subject, state) "
               "VALUES (%s, %s, %s, %s, %s)")


def _rows(folder: Path) -> tuple[str, list[list[tuple[Any, ...]]], list[list[tuple[Any, ...]]]]:
    """A store's letters and emails as the kiosk sends them, in its batches: (kiosk id,
    letters' rows per batch, emails' rows per batch)."""
    from kiosk.app.hub import BATCH
    from kiosk.store import open_store, uploads
    from kiosk.store.hub.letters import _values

    store = open_store(folder)
    try:
        (campaign_id,) = store.conn.execute("SELECT campaign_id FROM letters LIMIT 1").fetchone()
        letters, emails = uploads.waiting(store, campaign_id, 10**9)
        kiosk_id = store.kiosk_id
    finally:
        store.close()
    by_letter: dict[str, list[tuple[Any, ...]]] = {}
    for e in emails:
        by_letter.setdefault(e.letter_uuid, []).append(
            (e.letter_uuid, e.message_id, e.to_addr, e.subject, e.state))
    letter_batches, email_batches = [], []
    for k in range(0, len(letters), BATCH):
        batch = letters[k:k + BATCH]
        letter_batches.append([_values(x, x.content_sha256()) for x in batch])
        email_batches.append([row for x in batch for row in by_letter.get(x.uuid, [])])
    return kiosk_id, letter_batches, email_batches


def _bare_upload(cluster: Any, db: str, stores: list[Any], *, emails: bool = True) -> float:
    """Seconds for one connection to insert every store's rows (from connecting to the last
    COMMIT), one transaction per batch of 100 letters, one INSERT per row."""
    import psycopg

    from kiosk.store.hub.letters import _LETTER_COLUMNS

    insert = _BARE_LETTER.format(", ".join(_LETTER_COLUMNS),
                                 ", ".join(["%s"] * len(_LETTER_COLUMNS)))
    t0 = time.perf_counter()
    with psycopg.connect(hub_url(cluster, db), autocommit=True) as conn:
        cur = conn.cursor()
        for i, (kiosk_id, letter_batches, email_batches) in enumerate(stores):
            cur.execute("INSERT INTO kiosks (kiosk_id, name) VALUES (%s, %s)",
                        (kiosk_id, f"Kiosk {i}"))
            for letter_rows, email_rows in zip(letter_batches, email_batches, strict=True):
                with conn.transaction():
                    for row in letter_rows:
                        cur.execute(insert, row)
                    if emails:
                        for row in email_rows:
                            cur.execute(_BARE_EMAIL, row)
    return time.perf_counter() - t0


def _kiosks_upload(cluster: Any, db: str, stores: list[Path], work: Path, *,
                   own: list[float], cpu: list[float]) -> tuple[float, int]:
    """Seconds from the signal to the last of the kiosk processes done, and letters sent;
    each kiosk's own seconds (from its signal) and CPU seconds are added to ``own``, ``cpu``."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url = hub_url(cluster, db)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    procs = []
    logs = []
    for i, src in enumerate(stores):
        dst = work / src.name
        shutil.copytree(src, dst)
        log = (work / f"{src.name}.log").open("w+")
        logs.append(log)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "benchmarks.hub_kiosk", str(dst), url, f"Kiosk {i}"],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True))

    def fail(p: subprocess.Popen[str], what: str) -> None:
        for q in procs:
            q.kill()
        log = logs[procs.index(p)]
        log.seek(0)
        raise RuntimeError(f"a kiosk process {what}:\n{log.read()[-3000:]}")

    try:
        for p in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "READY":
                fail(p, "did not start")
        t0 = time.monotonic()
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        ends, sent = [], 0
        for p in procs:
            assert p.stdout is not None
            words = p.stdout.readline().split()
            if len(words) != 5 or words[0] != "DONE":
                fail(p, "failed")
            sent += int(words[1])
            ends.append(float(words[2]))
            own.append(float(words[2]) - float(words[3]))
            cpu.append(float(words[4]))
        for p in procs:
            if p.wait(timeout=60) != 0:
                fail(p, f"exited with {p.returncode}")
    finally:
        for log in logs:
            log.close()
    return max(ends) - t0, sent


def _catch_up(cluster: Any, db: str, store: Path, work: Path, campaign: Any) -> float:
    """One kiosk holding every letter of ``store``, its uploader running while the hub is down;
    seconds from the hub back (and the uploader woken, as the next letter kept does) to the
    last letter uploaded (its COMMIT at the hub)."""
    from kiosk.app.context import STAFF
    from kiosk.app.core import Kiosk
    from kiosk.store import open_store

    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(store, work)
    away, done = threading.Event(), threading.Event()
    finished: list[float] = []

    def changed(status: Any) -> None:
        if status.state == "away":
            away.set()
        elif status.state == "up" and status.waiting == 0 and not finished:
            finished.append(time.monotonic())
            done.set()

    logging.getLogger("kiosk.app.hub").setLevel(logging.ERROR)  # "hub away": expected here
    cluster.stop()  # the hub goes away...
    core = Kiosk(hub_campaign(campaign, hub_url(cluster, db), "Catch-up"), work, open_store(work),
                 actor=STAFF)
    try:
        core.hub.start(changed)
        if not away.wait(60):
            raise RuntimeError("the uploader never found the hub away")
        cluster.start()  # ... and comes back
        t0 = time.monotonic()
        core.hub.wake()
        if not done.wait(600):
            raise RuntimeError(f"the catch-up never finished: {core.hub.status()}")
    finally:
        if not cluster.running:
            cluster.start()
        core.close()
        logging.getLogger("kiosk.app.hub").setLevel(logging.NOTSET)
    return finished[0] - t0


def hub_upload(rounds: int, command: str, *, kiosks: int = 10, letters: int = 500,
               catch_up: int = 5000) -> Result:
    from kiosk.app.preflight import load_campaign

    logging.getLogger("kiosk").setLevel(logging.WARNING)
    total = kiosks * letters
    base = load_campaign(SAMPLE)
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp, postgres_cluster() as cluster:
        tmp_path = Path(tmp)
        server = server_version(cluster)
        template = hub_template(cluster, base)
        t_fill = time.perf_counter()
        filler = hub_campaign(base, "", "filling")
        stores = [make_store(tmp_path / "stores" / f"kiosk-{i}", filler, letters)
                  for i in range(kiosks)]
        held = make_store(tmp_path / "stores" / "catch-up", filler, catch_up)
        rows = [_rows(s) for s in stores]
        t_fill = time.perf_counter() - t_fill
        # A run of each, not counted: imports, the server's caches, the page cache.
        db = new_database(cluster, template)
        _bare_upload(cluster, db, rows[:1])
        cluster.drop_database(db)
        kiosk_rates, bare_rates, letters_only, catch = [], [], [], []
        own: list[float] = []  # each kiosk's seconds from its signal to its last COMMIT
        cpu: list[float] = []  # each kiosk's CPU seconds meanwhile
        for r in range(rounds):
            order = ("kiosks", "bare") if r % 2 == 0 else ("bare", "kiosks")
            for side in order:
                db = new_database(cluster, template)
                if side == "bare":
                    bare_rates.append(total / _bare_upload(cluster, db, rows))
                    cluster.drop_database(db)
                    db = new_database(cluster, template)
                    letters_only.append(total / _bare_upload(cluster, db, rows, emails=False))
                else:
                    seconds, sent = _kiosks_upload(cluster, db, stores, tmp_path / "work",
                                                   own=own, cpu=cpu)
                    assert sent == total, f"the kiosks sent {sent} of {total}"
                    got = at_hub(cluster, db, "SELECT (SELECT count(*) FROM letters), "
                                              "(SELECT count(*) FROM outbox), "
                                              "(SELECT count(*) FROM letter_conflicts)")
                    assert got == [(total, total, 0)], got
                    kiosk_rates.append(total / seconds)
                cluster.drop_database(db)
            db = new_database(cluster, template)
            catch.append(_catch_up(cluster, db, held, tmp_path / "held", base))
            got = at_hub(cluster, db, "SELECT count(*) FROM letters")
            assert got == [(catch_up,)], got
            cluster.drop_database(db)
    k, b = Figures(kiosk_rates, "letters/s"), Figures(bare_rates, "letters/s")
    only, c = Figures(letters_only, "letters/s"), Figures(catch, "s")
    each, spent = Figures(own, "s"), Figures(cpu, "s")
    ratio = k.median / b.median
    return Result(
        name=f"{kiosks} kiosks uploading {letters} letters each to the hub at once",
        goal="≥ 0.5× a bare psycopg loop's throughput (one connection)",
        measured=f"{k.median:.0f} letters/s (median); catch-up of {catch_up:,} letters "
                 f"{c.median:.1f} s",
        baseline=f"{b.median:.0f} letters/s (median, bare psycopg loop, one connection)",
        ratio=f"{ratio:.2f}×",
        met=ratio >= 0.5,
        command=command,
        notes=[f"{kiosks} kiosk processes: {k.line()}",
               f"  each kiosk, from its signal to its last COMMIT: {each.line()}",
               f"  each kiosk's CPU meanwhile: {spent.line()}",
               f"bare loop:       {b.line()}",
               f"bare loop, letters only (no emails): {only.line()}",
               f"catch-up of {catch_up:,} letters held by one kiosk, from the hub back to the "
               f"last COMMIT: {c.line()} ({catch_up / c.median:.0f} letters/s, "
               f"{catch_up / c.median / b.median:.2f}× the bare loop)",
               f"each of the {total:,} letters with one email; every run checked: "
               f"{total:,} letters and {total:,} emails at the hub, no conflicts",
               f"{server} on 127.0.0.1 (fsync off), a fresh database each run; "
               f"stores filled in {t_fill:.1f} s, not timed"],
        raw={"kiosks": k.as_dict(), "bare": b.as_dict(), "letters_only": only.as_dict(),
             "catch_up": c.as_dict(), "ratio": ratio, "postgresql": server},
    )
