"""1,000 complete visitor sessions in one process, after a warm-up of 50: does anything grow?

Each session is a visitor in the real window (offscreen): language, recipients, a starting text
and their own words, their name, review (and back once), print and email, thank-you, done.

Default: the sample campaign's own peers (the file printer into a temp data dir; email kept in
the outbox, no server). ``--soak``: the same sessions against a TCP ESC/POS printer emulator and
an aiosmtpd server on 127.0.0.1 (in a child process, so what they record is not counted as the
kiosk's memory), and at the end every letter must be printed and every email
received.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import tempfile
import threading
import time
from pathlib import Path

from benchmarks._common import Figures, Result, rss_kib, write_campaign
from benchmarks._visitor import Timings, build, close, one_session, settle


def _malloc_trim() -> None:
    """Hand freed heap back to the OS, so RSS shows what is still in use (glibc only)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _kiosk_threads() -> list[str]:
    """Live threads: every one is the kiosk's (the peers of ``--soak`` run in a child process,
    ``Peers``, so their connection threads and event loop are not counted)."""
    return sorted(t.name for t in threading.enumerate())


def snapshot(window) -> dict:
    from PySide6.QtCore import QObject, QThread, QTimer
    from PySide6.QtWidgets import QApplication

    settle()
    gc.collect()
    settle()
    _malloc_trim()
    app = QApplication.instance()
    objects = set()
    for top in [app, *QApplication.topLevelWidgets()]:
        objects.add(id(top))
        for child in top.findChildren(QObject):
            objects.add(id(child))
    timers = [t for t in window.findChildren(QTimer)] + app.findChildren(QTimer)
    return {
        "rss_kib": rss_kib(),
        "qobjects": len(objects),
        "widgets": len(QApplication.allWidgets()),
        "timers": len(timers),
        "active_timers": sum(1 for t in timers if t.isActive()),
        "qthreads": len(window.findChildren(QThread)) + len(app.findChildren(QThread)),
        "threads": _kiosk_threads(),
        "python_objects": len(gc.get_objects()),
    }


class Peers:
    """The printer emulator and the SMTP server, in a child process (see _peers.py)."""

    host = "127.0.0.1"

    def __enter__(self) -> Peers:
        import subprocess
        import sys

        from benchmarks._common import ROOT, offscreen_env

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._peers"], cwd=ROOT, env=offscreen_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        _, printer_port, smtp_port = self._ask(None).split()
        self.printer_port, self.smtp_port = int(printer_port), int(smtp_port)
        return self

    def _ask(self, command: str | None) -> str:
        assert self.proc.stdin and self.proc.stdout
        if command:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def counts(self) -> tuple[int, int]:
        _, receipts, messages = self._ask("count").split()
        return int(receipts), int(messages)

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._ask("quit")
        self.proc.wait(timeout=30)


def peer_campaign(folder: Path, peers: Peers) -> Path:
    """A copy of the sample campaign printing to the peers' emulator and mailing their server."""
    return write_campaign(
        folder,
        printer={"enabled": True, "connection": "network", "host": peers.host,
                 "port": peers.printer_port, "profile": "default", "paper_width_mm": 80,
                 "codepage": "CP858", "cut": True, "print_qr": True, "timeout_seconds": 5,
                 "poll_seconds": 1, "retry_seconds": 0.2},
        email={"enabled": True, "host": peers.host, "port": peers.smtp_port, "security": "none",
               "sender_address": "letters@example.org", "sender_name": "Write for Safe Haven",
               "max_per_minute": 1000, "hold_for_review": False, "timeout_seconds": 5,
               "retry_initial_seconds": 0.2, "retry_max_seconds": 2},
    )


def _campaign(tmp: Path, soak: bool, stack):
    from kiosk.app.preflight import load_campaign

    if not soak:
        return load_campaign(write_campaign(tmp / "campaign")), None, None
    peers = stack.enter_context(Peers())
    return load_campaign(peer_campaign(tmp / "campaign", peers)), peers, peers


def sessions(count: int, warmup: int, command: str, *, soak: bool = False) -> Result:
    from contextlib import ExitStack

    logging.getLogger("kiosk").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp, ExitStack() as stack:
        tmp_path = Path(tmp)
        campaign, printer, _server = _campaign(tmp_path, soak, stack)
        data = tmp_path / "data"
        data.mkdir()
        _app, window = build(campaign, data)
        timings = Timings()
        timings.enabled = False
        for n in range(warmup):
            one_session(window, n, timings)
        before = snapshot(window)
        timings.enabled = True
        t0 = time.perf_counter()
        per_session = []
        for n in range(count):
            s0 = time.perf_counter()
            one_session(window, warmup + n, timings)
            per_session.append((time.perf_counter() - s0) * 1000)
        elapsed = time.perf_counter() - t0
        after = snapshot(window)
        store = window.services.store
        letters = store.conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
        emails = store.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        delivered = ""
        if soak:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                settle()
                printed = store.conn.execute(
                    "SELECT COUNT(*) FROM print_jobs WHERE state = 'printed'").fetchone()[0]
                sent = store.conn.execute(
                    "SELECT COUNT(*) FROM outbox WHERE state = 'sent'").fetchone()[0]
                if printed == letters and sent == emails:
                    break
                time.sleep(0.05)
            receipts, received = printer.counts()
            delivered = (f"printed {printed}/{letters} (emulator cut {receipts} receipts), "
                         f"emails sent {sent}/{emails} (server received {received})")
        close(window)
    rss_growth = (after["rss_kib"] - before["rss_kib"]) / 1024
    grew = {k: (before[k], after[k]) for k in ("qobjects", "widgets", "timers", "active_timers",
                                                 "qthreads") if after[k] > before[k]}
    new_threads = sorted(set(after["threads"]) - set(before["threads"]))
    thread_growth = len(after["threads"]) - len(before["threads"])
    ok_delivery = True
    if soak:
        ok_delivery = (printed == letters == receipts and sent == emails == received)
    met = rss_growth <= 5.0 and not grew and thread_growth <= 0 and ok_delivery
    f = Figures(per_session)
    notes = [
        f"{count} sessions in {elapsed:.1f} s; per session: {f.line()}",
        f"RSS {before['rss_kib'] / 1024:.1f} → {after['rss_kib'] / 1024:.1f} MiB "
        f"({rss_growth:+.2f} MiB)",
        f"QObjects {before['qobjects']} → {after['qobjects']}; widgets {before['widgets']} → "
        f"{after['widgets']}; QTimers {before['timers']} → {after['timers']} (active "
        f"{before['active_timers']} → {after['active_timers']}); Python threads "
        f"{len(before['threads'])} → {len(after['threads'])}"
        + (f" (new: {', '.join(new_threads)})" if new_threads else ""),
        f"Python objects {before['python_objects']} → {after['python_objects']}",
        f"kept {letters} letters and {emails} emails"
        + (f" (including the {warmup} warm-up sessions)" if warmup else ""),
    ]
    if delivered:
        notes.append(delivered)
    if grew:
        notes.append(f"grew: {grew}")
    every = Figures(timings.all())
    notes.append(f"step switches during the run: {every.line()}")
    return Result(
        name=f"{count:,} visitor sessions in one process" + (" (soak: real peers)" if soak else ""),
        goal="RSS growth ≤ 5 MB; live QObjects flat; no leaked timers or threads"
        + ("; every letter printed and email received" if soak else ""),
        measured=f"RSS {rss_growth:+.2f} MiB; QObjects {before['qobjects']} → "
                 f"{after['qobjects']}; timers {before['timers']} → {after['timers']}; "
                 f"threads {len(before['threads'])} → {len(after['threads'])}",
        baseline=f"after a warm-up of {warmup} sessions",
        ratio="—",
        met=met,
        command=command,
        notes=notes,
        raw={"before": before, "after": after, "rss_growth_mib": rss_growth,
             "per_session_ms": f.as_dict(), "switches": every.as_dict()},
    )
