"""Child process of the hub upload benchmark: one kiosk, its own store, uploading on a signal.

    python -m benchmarks.hub_kiosk DATA_DIR URL NAME

It loads the sample campaign with a ``[hub]`` at ``URL`` (the password from ``PGPASSWORD``, as a
kiosk's service gives it), opens the store in ``DATA_DIR`` and prints ``READY``; on a line from
stdin it sends every letter not at the hub yet (``Hub.upload_now``, what the uploader thread
runs) and prints ``DONE <letters sent> <end> <start> <CPU seconds>``: ``time.monotonic()``
when it was done and when it had the signal, and the CPU time it spent meanwhile.
CLOCK_MONOTONIC is the same clock in every process of the machine, so the parent compares it
with its own.
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    data_dir, url, name = Path(argv[0]), argv[1], argv[2]
    logging.basicConfig(level=logging.WARNING)
    from benchmarks._common import SAMPLE
    from benchmarks.hub_common import hub_campaign
    from kiosk.app.context import STAFF
    from kiosk.app.core import Kiosk
    from kiosk.app.preflight import load_campaign
    from kiosk.store import open_store

    campaign = hub_campaign(load_campaign(SAMPLE), url, name)
    core = Kiosk(campaign, data_dir, open_store(data_dir), actor=STAFF)
    # What a kiosk that has been running has imported already (the uploader imports them on
    # its first round, its heartbeat's): psycopg alone costs 0.1-0.3 s of CPU here.
    for module in ("psycopg", "kiosk.store.hub.letters", "kiosk.store.hub.schema",
                   "kiosk.store.uploads"):
        importlib.import_module(module)
    try:
        print("READY", flush=True)
        sys.stdin.readline()
        start, cpu = time.monotonic(), time.process_time()
        sent = core.hub.upload_now()
        end = time.monotonic()
        print(f"DONE {sent} {end!r} {start!r} {time.process_time() - cpu!r}", flush=True)
    finally:
        core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
