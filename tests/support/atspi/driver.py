"""Run inside ``dbus-run-session`` with Debian's /usr/bin/python3 (pyatspi): start the
accessibility bus and the kiosk on a real X display, then read and use its accessibility tree
as Orca would, in this one process.

    cd tests/support/atspi
    dbus-run-session -- /usr/bin/python3 driver.py DISPLAY CAMPAIGN WORK_DIR PYTHON

Prints one JSON object: snapshots of the tree after each action, or ``{"error": ...}`` saying
what never showed up. Every wait is for something to be on screen, with a generous deadline:
a busy machine only makes it slower.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk_process import ROOT, Kiosk, a11y_bus, kiosk_command, kiosk_env
from walk import can_act, find_app, press, showing, wait_for, walk

DEADLINE = 180.0  # seconds for the kiosk to start, and for each screen to change


class NotThere(Exception):
    pass


def main() -> int:
    display, campaign, work, python = sys.argv[1:5]
    work_dir = Path(work)
    command = kiosk_command(python, ROOT / "main.py", campaign, work_dir / "data")
    result: dict = {}
    with a11y_bus():
        kiosk = Kiosk(command, kiosk_env(display), work_dir / "kiosk.log")

        def alive() -> None:
            if kiosk.poll() is not None:
                raise NotThere(f"the kiosk exited ({kiosk.crash()})")

        try:
            app = find_app(timeout=DEADLINE, alive=alive)
            if app is None:
                raise NotThere(f"letter-kiosk not on the accessibility bus after {DEADLINE} s")

            def tree_once_showing(names: set[str]) -> list[dict]:
                def look():
                    shown = {n.name for n in showing(app)}
                    return names <= shown
                if not wait_for(look, DEADLINE, alive):
                    raise NotThere(f"{sorted(names)} not showing after {DEADLINE} s")
                return walk(app)[0]

            def press_showing(name: str) -> list[dict]:
                def look():
                    return next((n for n in showing(app, name) if can_act(n)), None)
                node = wait_for(look, DEADLINE, alive)
                if node is None:
                    raise NotThere(f"no {name!r} button showing after {DEADLINE} s")
                press(node)
                return [{"pressed": name}]

            result["attract"] = tree_once_showing({"Start", "Français"})
            result["press_start"] = press_showing("Start")
            result["recipients"] = tree_once_showing({"Start over", "Prime Minister of Canada"})
            result["press_french"] = press_showing("Français")
            result["recipients_fr"] = tree_once_showing({"Recommencer",
                                                         "Premier ministre du Canada"})
        except NotThere as e:
            result["error"] = str(e)
        finally:
            kiosk.stop()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
