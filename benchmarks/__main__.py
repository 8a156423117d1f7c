"""Run every benchmark: ``.venv/bin/python -m benchmarks [--quick] [--soak] [--write-docs]``.

Each benchmark prints its raw figures (median, p95, min–max over repeated runs), the ratio
against its baseline measured in the same run, and says plainly when a goal is missed. The exit
status is 0 when every goal was met, 1 otherwise (for a CI job that wants it; the test suite
does not run these).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

NAMES = ("startup", "steps", "render", "drain", "sessions", "store", "hub-upload", "hub-drain",
         "hub-live")
# A choice of --only that stands for several benchmarks.
GROUPS = {"hub": ("hub-upload", "hub-drain", "hub-live")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=NAMES + tuple(GROUPS),
                        help="run only this benchmark (may be repeated; hub: the three hub-*)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions and sessions (a smoke run; figures are rougher)")
    parser.add_argument("--soak", action="store_true",
                        help="run the 1,000 sessions against the TCP printer emulator and an "
                             "aiosmtpd server instead of the file printer and an idle outbox")
    parser.add_argument("--write-docs", action="store_true",
                        help="write the results table into docs/performance.md")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args(argv)

    # python-escpos calls logging.basicConfig() on import; the kiosk's own INFO lines (one
    # per letter kept or printed) would drown the figures.
    logging.basicConfig(level=logging.WARNING)
    from benchmarks import (
        hub_drain,
        hub_live,
        hub_upload,
        outbox_drain,
        render,
        sessions,
        startup,
        ui_steps,
    )
    from benchmarks._common import machine

    q = args.quick
    cmd = ".venv/bin/python -m benchmarks"
    chosen = list(dict.fromkeys(n for name in args.only or NAMES
                                for n in GROUPS.get(name, (name,))))
    m = machine()
    print("Letter Kiosk benchmarks")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in m.items()))
    results = []
    t0 = time.perf_counter()
    for name in chosen:
        only = f"{cmd} --only {name}"
        if name == "startup":
            r = startup.cold_start(5 if q else 15, only)
        elif name == "steps":
            r = ui_steps.step_switching(10 if q else 60, only)
        elif name == "render":
            r = render.render(50 if q else 300, only)
        elif name == "drain":
            r = outbox_drain.outbox_drain(1 if q else 3, only)
        elif name == "sessions":
            soak = " --soak" if args.soak else ""
            r = sessions.sessions(100 if q else 1000, 10 if q else 50, only + soak,
                                  soak=args.soak)
        elif name == "store":
            r = startup.full_store(3 if q else 9, only, letters=2_000 if q else 20_000)
        elif name == "hub-upload":
            r = hub_upload.hub_upload(1 if q else 3, only, kiosks=10, letters=500,
                               catch_up=1_000 if q else 5_000)
        elif name == "hub-drain":
            r = hub_drain.hub_drain(1 if q else 2, only, emails=100 if q else 1000,
                              local_rounds=1 if q else 3)
        else:
            r = hub_live.hub_live(15 if q else 50, only)
        r.report()
        results.append(r)
    missed = [r for r in results if not r.met]
    print(f"\n{len(results) - len(missed)} of {len(results)} goals met "
          f"({time.perf_counter() - t0:.0f} s)." + ("" if not missed else " Missed: "
          + "; ".join(r.name for r in missed) + "."))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": m, "results": [r.__dict__ for r in results]}, f, indent=2,
                      default=str)
    if args.write_docs:
        from benchmarks.docs import write_results

        print(f"wrote {write_results(results, m, quick=q)}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
