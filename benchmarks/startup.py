"""Start-up: cold start to the first painted attract screen, and start-up with a full store.

Every run is a fresh subprocess (offscreen), and the runs being compared are interleaved
(A, B, A, B...), so that a slow moment of the machine falls on both sides alike.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import ROOT, SAMPLE, Figures, Result, offscreen_env

CHILD = ROOT / "benchmarks" / "_first_paint.py"


def time_to_first_paint(args: list[str]) -> float:
    """Milliseconds from spawning the child to reading its "painted" line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=offscreen_env(), text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - t0) * 1000
    proc.wait(timeout=30)
    if line.strip() != "painted":
        raise RuntimeError(f"child {args[0]} never painted (exit {proc.returncode})")
    return elapsed


def _interleave(runs: int, a: list[str], b: list[str], before_b=None) -> tuple[Figures, Figures]:
    fa, fb = [], []
    # One unmeasured round first: the OS page cache and .pyc files, as on any second start.
    time_to_first_paint(a)
    if before_b:
        before_b()
    time_to_first_paint(b)
    for _ in range(runs):
        fa.append(time_to_first_paint(a))
        if before_b:
            before_b()
        fb.append(time_to_first_paint(b))
    return Figures(fa), Figures(fb)


def cold_start(runs: int, command: str) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        data = Path(tmp) / "data"

        def fresh_data_dir() -> None:  # every kiosk run starts like a first start of the day
            import shutil

            shutil.rmtree(data, ignore_errors=True)

        bare, kiosk = _interleave(runs, ["bare"], ["kiosk", str(SAMPLE), str(data)],
                                  before_b=fresh_data_dir)
    ratio = kiosk.median / bare.median
    return Result(
        name="cold start to first painted attract screen",
        goal="≤ 2× a bare PySide6 window to first paint",
        measured=f"{kiosk.median:.0f} ms (median)",
        baseline=f"{bare.median:.0f} ms (median, bare QWidget)",
        ratio=f"{ratio:.2f}×",
        met=ratio <= 2.0,
        command=command,
        notes=[f"kiosk: {kiosk.line()}", f"bare:  {bare.line()}"],
        raw={"kiosk": kiosk.as_dict(), "bare": bare.as_dict(), "ratio": ratio},
    )


def fill_store(data_dir: Path, letters: int) -> None:
    """``letters`` letters as an event leaves them: kept through the kiosk's own ``keep``,
    two recipients a visitor, printed and emailed, their jobs done and their emails sent."""
    from kiosk.app.letters import keep_letters
    from kiosk.app.preflight import load_campaign
    from kiosk.domain.journey import Delivery, Journey
    from kiosk.store import Store

    campaign = load_campaign(SAMPLE)
    store = Store(data_dir)
    store.conn.execute("PRAGMA synchronous=OFF")  # filling a benchmark store, not an event's
    j = Journey(campaign)
    j.start()
    j.toggle_recipient("pm")
    j.toggle_recipient("un-ohchr")
    j.next()
    j.update(body="Please offer a safe way out to the men who are still in danger. " * 6)
    j.next()
    j.update(first_name="Jordan", last_name="Lee", city="Winnipeg", email="jordan@example.com")
    j.next()
    j.next()
    letters_of_one = j.letters()
    for i in range(letters // len(letters_of_one)):
        j.session.id = f"bench-{i:06d}"
        keep_letters(store, campaign, j.session, letters_of_one, Delivery(print=True, email=True))
    with store.transaction() as c:
        c.execute("UPDATE print_jobs SET state = 'printed', printed_at = created_at")
        c.execute("UPDATE outbox SET state = 'sent', sent_at = created_at, last_code = 250")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = store.conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
    store.close()
    assert n == letters, n


def full_store(runs: int, command: str, letters: int = 20_000) -> Result:
    import shutil

    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        tmp_path = Path(tmp)
        template_full = tmp_path / "full-template"
        t0 = time.perf_counter()
        fill_store(template_full, letters)
        fill_s = time.perf_counter() - t0
        empty, full = tmp_path / "empty", tmp_path / "full"

        def reset() -> None:
            # The same files before every run: a run may not warm the next one's store.
            shutil.rmtree(empty, ignore_errors=True)
            shutil.rmtree(full, ignore_errors=True)
            empty.mkdir()
            shutil.copytree(template_full, full)

        reset()
        fe, ff = [], []
        time_to_first_paint(["kiosk", str(SAMPLE), str(empty)])
        time_to_first_paint(["kiosk", str(SAMPLE), str(full)])
        for _ in range(runs):
            reset()
            fe.append(time_to_first_paint(["kiosk", str(SAMPLE), str(empty)]))
            ff.append(time_to_first_paint(["kiosk", str(SAMPLE), str(full)]))
    e, f = Figures(fe), Figures(ff)
    ratio = f.median / e.median
    return Result(
        name=f"start-up with {letters:,} letters stored",
        goal="≤ 1.1× start-up with an empty store",
        measured=f"{f.median:.0f} ms (median)",
        baseline=f"{e.median:.0f} ms (median, empty store)",
        ratio=f"{ratio:.2f}×",
        met=ratio <= 1.1,
        command=command,
        notes=[f"{letters:,} letters: {f.line()}", f"empty store:    {e.line()}",
               f"(store filled in {fill_s:.1f} s, not timed)"],
        raw={"full": f.as_dict(), "empty": e.as_dict(), "ratio": ratio},
    )
