"""Switching between steps, in the real window: tap → new step laid out and painted."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks._common import Figures, Result, write_campaign
from benchmarks._visitor import Timings, build, close, one_session


def step_switching(sessions: int, command: str) -> Result:
    from kiosk.app.preflight import load_campaign

    with tempfile.TemporaryDirectory(prefix="bench-steps-") as tmp:
        tmp_path = Path(tmp)
        campaign = load_campaign(write_campaign(tmp_path / "campaign"))  # file printer, no SMTP
        data = tmp_path / "data"
        data.mkdir()
        _app, window = build(campaign, data)
        timings = Timings()
        timings.enabled = False
        for n in range(4):  # first use of each page (the QR code, templates) is not a switch
            one_session(window, n, timings)
        timings.enabled = True
        for n in range(sessions):
            one_session(window, n, timings)
        close(window)
    every = Figures(timings.all())
    notes = [f"all switches: {every.line()}"]
    for kind, values in timings.by_kind.items():
        f = Figures(values)
        notes.append(f"  {kind:34s} median {f.median:6.2f} ms, p95 {f.p95:6.2f} ms, "
                     f"max {max(values):6.2f} ms")
    return Result(
        name="switching between steps",
        goal="p95 ≤ 8 ms",
        measured=f"p95 {every.p95:.2f} ms (median {every.median:.2f} ms)",
        baseline="—",
        ratio="—",
        met=every.p95 <= 8.0,
        command=command,
        notes=notes,
        raw={"all": every.as_dict(),
             "by_kind": {k: Figures(v).as_dict() for k, v in timings.by_kind.items()}},
    )
