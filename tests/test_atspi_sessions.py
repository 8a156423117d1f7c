"""Every AT-SPI session the tests and the soak start has an accessibility bus of its own, so
runs side by side (a second test run, a soak, another engineer's suite) never take over each
other's bus. Before, every session listened on ~/.cache/at-spi/bus: the last one started took
the path, and a kiosk started in another session joined the wrong bus, or none once that
session ended ("the kiosk did not appear on the bus in time", issue 10, point 7)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.atspi.kiosk_process import private_session

SYSTEM_PYTHON = "/usr/bin/python3"

# Asks the session for its accessibility bus (D-Bus starts the bus launcher on demand), prints
# the address, then holds the session open until its stdin closes.
ASK_ADDRESS = """
import sys
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
reply = bus.call_sync("org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", None,
                      GLib.VariantType("(s)"), Gio.DBusCallFlags.NONE, 120000)
print(reply.unpack()[0], flush=True)
sys.stdin.read()
"""


def test_two_sessions_at_once_have_two_accessibility_buses():
    if not Path("/usr/bin/dbus-run-session").exists():
        pytest.fail("dbus-run-session is missing: run ./scripts/setup")
    with (private_session([SYSTEM_PYTHON, "-c", ASK_ADDRESS]) as (cmd_a, env_a),
          private_session([SYSTEM_PYTHON, "-c", ASK_ADDRESS]) as (cmd_b, env_b)):
        first = subprocess.Popen(cmd_a, env=env_a, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        second = subprocess.Popen(cmd_b, env=env_b, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            addresses = [p.stdout.readline().strip() for p in (first, second)]
        finally:
            for p in (first, second):
                p.communicate(timeout=120)  # closes stdin: the session ends
    sockets = [a.split(",")[0] for a in addresses]  # unix:path=...; the guid always differs
    assert all(sockets), addresses
    assert sockets[0] != sockets[1]
    for socket, env in zip(sockets, (env_a, env_b), strict=True):
        assert env.get("XDG_RUNTIME_DIR", "~") in socket  # in the session's own runtime dir
