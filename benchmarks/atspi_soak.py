"""The screen-reader soak: whole visitor journeys driven through AT-SPI, as Orca would.

    .venv/bin/python -m benchmarks.atspi_soak --journeys 200 [--cpu-hog 2] [--gdb]
        [--readers N] [--fullscreen] [--no-touch] [--peers]
        [--python OTHER/bin/python] [--kiosk OTHER/main.py] [--report FILE] [--json FILE]

Starts Xvfb, a private D-Bus session with its own accessibility bus, and the real kiosk
(windowed, a temporary data dir, the sample campaign with a 10-second thank-you screen), then
drives journeys through the accessibility tree only (tests/support/atspi/journeys.py, Debian's
pyatspi in one long-lived process), reading the whole tree between steps and asking again about the
previous screen's nodes, while ``--readers`` other clients (default 1) read the whole tree in
a loop. Text fields are tapped before typing, so the on-screen keyboard opens as for a visitor
who uses touch and a screen reader (``--no-touch`` only moves the focus there). The kiosk keeps
running across journeys; a crash is reported with its journey, step and stacks (Python's from
faulthandler, the native one from the core file) and a new kiosk is started.

``--gdb`` runs the kiosk under gdb instead of reading a core file; ``--cpu-hog N`` loads the
machine; ``--fullscreen`` runs the kiosk as at an event; ``--peers`` prints to the TCP ESC/POS
emulator and mails an aiosmtpd server; ``--python`` and ``--kiosk`` point the soak at another
interpreter (e.g. a venv with another PySide6) or checkout. Exit status: 0 when every journey
completed, 1 otherwise, 2 when a tool is missing.

tests/test_screen_reader_journeys.py runs five journeys of the same soak in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-pyatspi lives
DRIVER = ROOT / "tests" / "support" / "atspi" / "journeys.py"
NEEDED = ("/usr/bin/dbus-run-session", "/usr/libexec/at-spi-bus-launcher", SYSTEM_PYTHON)
THANKS_SECONDS = 10  # journeys that wait for the countdown stay short; Done is still found


@dataclass
class SoakResult:
    journeys: int
    completed: int = 0
    crashes: list[dict] = field(default_factory=list)
    stuck: list[dict] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # per completed journey
    kiosk_starts: int = 0
    nodes_read: int = 0
    requery_errors: int = 0
    thanks_missed: int = 0  # the countdown ended before the thank-you screen was read
    steps: dict[str, list[float]] = field(default_factory=dict)  # seconds, per step
    events: int = 0
    reader_walks: int = 0  # whole-tree reads by the other clients, between and during steps
    wall_seconds: float = 0.0
    driver_error: str = ""

    @property
    def ok(self) -> bool:
        return (self.completed == self.journeys and not self.crashes and not self.stuck
                and not self.driver_error)


def missing_tools(gdb: bool = False) -> list[str]:
    missing = [p for p in NEEDED if not Path(p).exists()]
    if not missing and subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"],
                                      capture_output=True).returncode:
        missing.append("python3-pyatspi")
    if gdb and shutil.which("gdb") is None:
        missing.append("gdb")
    return missing


def soak_campaign(folder: Path, base: Path | None = None, peers=None) -> Path:
    """The campaign for the soak: ``base`` as it is, or a copy of the sample (printing to the
    peers' emulator and mailing their server, when given) with a short thank-you screen."""
    if base is not None:
        return base
    from tests.support.campaigns import write_campaign

    if peers is not None:
        from benchmarks.sessions import peer_campaign

        path = peer_campaign(folder, peers)
    else:
        path = write_campaign(folder)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("thanks_seconds = 30", f"thanks_seconds = {THANKS_SECONDS}"),
                    encoding="utf-8")
    return path


@contextlib.contextmanager
def cpu_hog(loops: int) -> Iterator[None]:
    """``loops`` busy processes beside the kiosk for the length of the block: the crash under
    a screen reader shows far more often on a loaded machine (the kiosk is slower between the
    requests of the screen reader's clients), as on an event laptop doing other work."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(loops)]
    try:
        yield
    finally:
        for h in hogs:
            h.kill()
            h.wait()


def run_soak(display: str, journeys: int, work_dir: Path, campaign: Path, *,
             python: str = sys.executable, main: Path = ROOT / "main.py", gdb: bool = False,
             step_timeout: float = 90.0, start_timeout: float = 180.0, readers: int = 1,
             read_interval: float = 0.03, fullscreen: bool = False, touch: bool = True,
             restart_every: int = 0,
             on_event: Callable[[dict], None] | None = None) -> SoakResult:
    """Drive ``journeys`` journeys on ``display``; every event goes to ``on_event`` as it
    happens."""
    from tests.support.atspi.kiosk_process import kiosk_command, private_session

    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "logs").mkdir(exist_ok=True)
    config = {
        "display": display, "journeys": journeys, "campaign": str(campaign),
        "kiosk_root": str(Path(main).resolve().parent), "log_dir": str(work_dir / "logs"),
        "step_timeout": step_timeout, "start_timeout": start_timeout, "readers": readers,
        "read_interval": read_interval, "touch": touch, "gdb": gdb,
        "restart_every": restart_every,
        "kiosk_command": kiosk_command(python, Path(main).resolve(), campaign,
                                       work_dir / "data", gdb=gdb, fullscreen=fullscreen),
    }
    config_file = work_dir / "soak.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    result = SoakResult(journeys)
    t0 = time.monotonic()
    with (private_session([SYSTEM_PYTHON, str(DRIVER), str(config_file)],
                          display) as (command, env),
          open(work_dir / "driver.log", "wb") as errors,
          open(work_dir / "events.jsonl", "w", encoding="utf-8") as kept):
        driver = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True,
                                  cwd=ROOT, env=env)
        assert driver.stdout is not None
        done = False
        for line in driver.stdout:
            if not line.startswith("{"):
                continue
            kept.write(line)  # every event, for reading after a failed run
            kept.flush()
            event = json.loads(line)
            kind = event["event"]
            if kind == "kiosk":
                result.kiosk_starts += 1
            elif kind == "journey":
                result.completed += 1
                result.seconds.append(event["seconds"])
                result.nodes_read += event["nodes_read"]
                result.requery_errors += event["requery_errors"]
                result.thanks_missed += event["thanks_missed"]
                result.events = event["events"]
                for step, seconds in event["steps"].items():
                    result.steps.setdefault(step, []).append(seconds)
            elif kind == "crash":
                result.crashes.append(event)
            elif kind == "stuck":
                result.stuck.append(event)
            elif kind == "done":
                done = True
                result.reader_walks = sum(r["walks"] for r in event.get("readers", []))
            if on_event is not None:
                on_event(event)
        code = driver.wait()
    result.wall_seconds = time.monotonic() - t0
    if not done or code != 0:
        log = (work_dir / "driver.log").read_text(encoding="utf-8", errors="replace")
        result.driver_error = f"the driver ended with exit {code}:\n{log[-3000:]}"
    return result


# --- reporting ---------------------------------------------------------------------------------


def kiosk_versions(python: str) -> str:
    out = subprocess.run([python, "-c", "import sys, PySide6; from PySide6 import QtCore; "
                          "print(sys.version.split()[0], PySide6.__version__, QtCore.qVersion())"],
                         capture_output=True, text=True)
    if out.returncode:
        return f"{python} (PySide6 version unknown: {out.stderr.strip()[-200:]})"
    py, pyside, qt = out.stdout.split()
    return f"{python}: Python {py}, PySide6 {pyside}, Qt {qt}"


def progress(event: dict) -> None:
    kind = event["event"]
    if kind == "journey":
        print(f"journey {event['journey'] + 1}: done in {event['seconds']:.1f} s "
              f"({event['nodes_read']} nodes read)", flush=True)
    elif kind == "crash":
        print(f"journey {event['journey'] + 1}: CRASH at step {event['step']} "
              f"({event['action']}): {event['signal'] or 'exit ' + str(event['returncode'])}",
              flush=True)
    elif kind == "stuck":
        print(f"journey {event['journey'] + 1}: STUCK at step {event['step']} "
              f"({event['action']}): {event['detail'][:300]}", flush=True)
    elif kind == "kiosk":
        print(f"kiosk {event['instance']} on the bus after {event['seconds_to_bus']} s",
              flush=True)


def report(result: SoakResult, header: list[str]) -> str:
    from benchmarks._common import Figures

    lines = [*header, "",
             f"journeys completed: {result.completed} of {result.journeys}",
             f"crashes: {len(result.crashes)}; stuck: {len(result.stuck)}; "
             f"kiosk starts: {result.kiosk_starts}",
             f"nodes read by the driver: {result.nodes_read}; AT-SPI events handled: "
             f"{result.events}; stale nodes that no longer answered: {result.requery_errors}; "
             f"whole-tree reads by the other clients: {result.reader_walks}",
             f"wall time: {result.wall_seconds:.0f} s"]
    if result.seconds:
        lines.append(f"time per journey: {Figures(result.seconds, 's').line()}")
        lines += [f"  {step}: {Figures(values, 's').line()}"
                  for step, values in result.steps.items()]
    if result.thanks_missed:
        lines.append(f"journeys whose thank-you screen timed out before it was read (the "
                     f"kiosk went back to the start by itself): {result.thanks_missed}")
    for i, c in enumerate(result.crashes, 1):
        what = c["signal"] or f"exit {c['returncode']}"
        lines += ["", f"--- crash {i}: journey {c['journey'] + 1}, step {c['step']} "
                      f"({c['action']}): {what}"]
        if c["native_stack"]:
            lines += ["native stack (gdb):", c["native_stack"]]
        lines += ["Python stack (faulthandler):", c["python_stack"] or "(none printed)"]
        if not c["python_stack"] and not c["native_stack"]:
            lines += ["last output:", c["tail"]]
    for i, s in enumerate(result.stuck, 1):
        lines += ["", f"--- stuck {i}: journey {s['journey'] + 1}, step {s['step']} "
                      f"({s['action']})", s["detail"]]
    if result.driver_error:
        lines += ["", "--- driver error", result.driver_error]
    lines.append("")
    lines.append("RESULT: " + ("every journey completed, no crash" if result.ok else "FAILED"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.atspi_soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs the kiosk (default: this one)")
    parser.add_argument("--kiosk", type=Path, default=ROOT / "main.py",
                        help="the kiosk's main.py, or a checkout holding it")
    parser.add_argument("--campaign", type=Path,
                        help="a campaign file to use as it is (default: the sample's copy)")
    parser.add_argument("--peers", action="store_true",
                        help="print to the TCP ESC/POS emulator and mail an aiosmtpd server "
                             "(default: the sample's file printer; emails stay queued)")
    parser.add_argument("--gdb", action="store_true",
                        help="run the kiosk under gdb: a crash also gives its native backtrace")
    parser.add_argument("--readers", type=int, default=1,
                        help="other clients reading the whole tree in a loop meanwhile "
                             "(default 1; 0 for none)")
    parser.add_argument("--read-interval", type=float, default=0.03,
                        help="seconds between their reads (default 0.03)")
    parser.add_argument("--cpu-hog", type=int, default=0, metavar="N",
                        help="run N busy loops beside the kiosk (a loaded machine; 2 on a "
                             "2-core machine makes the crash show within a few journeys)")
    parser.add_argument("--fullscreen", action="store_true",
                        help="run the kiosk as at an event (kiosk mode) instead of windowed")
    parser.add_argument("--touch", action=argparse.BooleanOptionalAction, default=True,
                        help="tap text fields (XTest) before typing, so the on-screen keyboard "
                             "opens as for a visitor using touch and a screen reader (default; "
                             "--no-touch only moves the focus there)")
    parser.add_argument("--restart-every", type=int, default=0, metavar="N",
                        help="start a fresh kiosk after every N journeys (default: never; "
                             "the crash of issue 10 came mostly in a kiosk's first journeys)")
    parser.add_argument("--step-timeout", type=float, default=90.0,
                        help="seconds a step may take before the journey counts as stuck")
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    parser.add_argument("--json", type=Path, help="also write every event as JSON")
    parser.add_argument("--keep", type=Path,
                        help="keep the data dir, the kiosk logs and the driver log here")
    args = parser.parse_args(argv)
    # Stopped with SIGTERM: still clean up (the kiosk, Xvfb and the CPU hog are children).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    main_py = args.kiosk / "main.py" if args.kiosk.is_dir() else args.kiosk
    missing = missing_tools(args.gdb)
    if missing or not main_py.is_file():
        print("Cannot run the soak: " + (f"missing {', '.join(missing)} (run ./scripts/setup)"
                                         if missing else f"no kiosk at {main_py}"),
              file=sys.stderr)
        return 2
    from kiosk.xvfb import xvfb

    events: list[dict] = []

    def record(event: dict) -> None:
        events.append(event)
        progress(event)

    with ExitStack() as stack:
        if args.keep:
            work = args.keep
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atspi-soak-")))
        peers = None
        if args.peers:
            from benchmarks.sessions import Peers

            peers = stack.enter_context(Peers())
        campaign = soak_campaign(work / "campaign", args.campaign, peers)
        header = [f"Screen-reader soak: {args.journeys} whole journeys through AT-SPI",
                  f"kiosk: {main_py.resolve()} with {kiosk_versions(args.python)}",
                  f"campaign: {args.campaign or 'the sample'}"
                  + (" (printer emulator and SMTP server)" if peers else " (file printer)")
                  + ("; under gdb" if args.gdb else "")
                  + ("; fullscreen (kiosk mode)" if args.fullscreen else "; windowed")
                  + ("; text fields tapped (on-screen keyboard)" if args.touch else ""),
                  f"readers: the driver, plus {args.readers} reading the whole tree every "
                  f"{args.read_interval} s; CPU hog: {args.cpu_hog} busy loop(s)",
                  f"machine: {os.cpu_count()} cores, load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at start"]
        print("\n".join(header), flush=True)
        display = stack.enter_context(xvfb())
        stack.enter_context(cpu_hog(args.cpu_hog))
        result = run_soak(display, args.journeys, work, campaign, python=args.python,
                          main=main_py, gdb=args.gdb, step_timeout=args.step_timeout,
                          readers=args.readers, read_interval=args.read_interval,
                          fullscreen=args.fullscreen, touch=args.touch,
                          restart_every=args.restart_every,
                          on_event=record)
        if peers is not None:
            receipts, messages = peers.counts()
            header.append(f"peers: the emulator cut {receipts} receipts, the SMTP server "
                          f"received {messages} messages")
    text = report(result, header)
    print("\n" + text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(events, indent=1), encoding="utf-8")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
