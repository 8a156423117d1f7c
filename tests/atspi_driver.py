"""Run inside ``dbus-run-session``: start the accessibility bus and the kiosk on a real X
display, then read and use its accessibility tree with Debian's pyatspi, as Orca would.

Prints one JSON object: snapshots of the tree after each action.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-pyatspi lives
WALK = str(ROOT / "tests" / "atspi_walk.py")


def walk(*args: str) -> list[dict]:
    out = subprocess.run([SYSTEM_PYTHON, WALK, "letter-kiosk", *args], capture_output=True,
                         text=True, timeout=60)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def walk_until(names: set[str], timeout: float = 30.0) -> list[dict]:
    """Snapshots until every one of ``names`` is showing (the screen has changed), or timeout:
    no fixed sleeps, so a slow machine only waits longer."""
    deadline = time.monotonic() + timeout
    while True:
        nodes = walk()
        shown = {n.get("name") for n in nodes if n.get("showing")}
        if names <= shown or time.monotonic() > deadline:
            return nodes
        time.sleep(0.2)


def main() -> int:
    display, campaign, data_dir = sys.argv[1:4]
    bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"])
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", None)  # the kiosk must turn it on itself
    kiosk = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--windowed",
                              "--config", campaign, "--data-dir", data_dir], env=env)
    result: dict = {}
    try:
        result["attract"] = walk_until({"Start", "Français"})
        result["press_start"] = walk("--press", "Start")
        result["recipients"] = walk_until({"Start over", "Prime Minister of Canada"})
        result["press_french"] = walk("--press", "Français")
        result["recipients_fr"] = walk_until({"Recommencer", "Premier ministre du Canada"})
    finally:
        kiosk.terminate()
        kiosk.wait(timeout=20)
        bus.terminate()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
