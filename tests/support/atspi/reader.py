"""A second screen-reader client for the soak: reads the kiosk's whole tree over and over,
every ``interval`` seconds, while journeys.py drives the journeys from its own
connection. Its requests reach the kiosk in the middle of step changes, as those of a screen
reader that reacts to events on its own do; like Orca's cache, it asks again about the nodes it
read the time before, some of them gone by then.

Run with Debian's python3 inside the soak's D-Bus session; stops when its stdin closes, then
prints one JSON line with what it did.
"""

from __future__ import annotations

import json
import select
import sys
import time

from walk import find_app, pump, requery, walk


def stdin_closed() -> bool:
    ready, _, _ = select.select([sys.stdin], [], [], 0)
    return bool(ready) and not sys.stdin.buffer.read1(1)


def main() -> int:
    interval = float(sys.argv[1]) if len(sys.argv) > 1 else 0.03
    walks = nodes = errors = stale = 0
    app, previous = None, []
    while not stdin_closed():
        if app is None:
            app = find_app(timeout=5.0)  # the kiosk may be restarting after a crash
            previous = []
            continue
        t0 = time.monotonic()
        try:
            _, gone = requery(previous)
            stale += gone
            rows, previous = walk(app)
            walks += 1
            nodes += len(rows)
            errors += sum(1 for r in rows if "error" in r)
            if rows and "error" in rows[0]:
                app = None  # the application itself is gone
        except Exception:
            app = None
        pump(max(0.0, interval - (time.monotonic() - t0)))
    print(json.dumps({"walks": walks, "nodes": nodes, "errors": errors, "stale": stale}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
