"""The text of the files ``install-service`` writes: the systemd user unit and the desktop
autostart entry. Pure functions of their inputs, so ``--print`` and the tests see exactly what
would be installed.

Why two files: the unit, enabled under ``graphical-session.target``, starts the kiosk on
desktops whose session starts that target (GNOME, KDE Plasma); the autostart entry starts the
same unit on those that do not (Xfce, LXQt, Raspberry Pi OS), after handing the display to
systemd. ``systemctl start`` of a running unit does nothing, so on GNOME the two do not clash.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk import APP_NAME, __version__

UNIT_NAME = f"{APP_NAME}.service"
AUTOSTART_NAME = f"{APP_NAME}.desktop"
# Every file written carries this line: install-service rewrites and uninstall-service removes
# only files that have it, never a unit someone wrote by hand.
MARKER = "# Written by `letter-kiosk install-service`"
# What the kiosk's service hands to the user manager (the autostart entry): the display, and
# what tells the kiosk and keep-screen-on which desktop they are on.
SESSION_VARIABLES = ("DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP",
                     "XDG_SESSION_TYPE")
RESTART_SECONDS = 5


@dataclass(frozen=True)
class ServicePlan:
    """What the service runs: the kiosk's command (a program and its first arguments), the
    campaign file, the data dir (None: the kiosk's default) and where it runs from."""

    command: tuple[str, ...]
    config: Path
    data_dir: Path | None
    working_dir: str = "%h"


def config_home() -> Path:
    """$XDG_CONFIG_HOME, where systemd looks for user units and desktops for autostart."""
    given = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec: a relative value is invalid and is ignored.
    return Path(given) if given and os.path.isabs(given) else Path.home() / ".config"


def unit_path() -> Path:
    return config_home() / "systemd" / "user" / UNIT_NAME


def autostart_path() -> Path:
    return config_home() / "autostart" / AUTOSTART_NAME


def env_file_path() -> Path:
    """The secrets file the unit reads: ``%E/letter-kiosk/env`` as systemd spells it."""
    return config_home() / APP_NAME / "env"


def systemd_quote(arg: str) -> str:
    """One argument of a unit's Exec line, as systemd splits it: specifiers (%) and variable
    expansion ($) turned off, quoted when it has spaces or quotes."""
    text = arg.replace("%", "%%").replace("$", "$$")
    if text and not re.search(r'[\s"\'\\;]', text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exec_line(words: Sequence[str]) -> str:
    return " ".join(systemd_quote(w) for w in words)


def kiosk_run_args(plan: ServicePlan) -> list[str]:
    args = [*plan.command, "run", "--config", str(plan.config)]
    if plan.data_dir is not None:
        args += ["--data-dir", str(plan.data_dir)]
    return args


def unit_text(plan: ServicePlan) -> str:
    working_dir = plan.working_dir if plan.working_dir == "%h" else systemd_quote(plan.working_dir)
    return f"""\
{MARKER} (Letter Kiosk {__version__}).
# Running install-service again rewrites this file and uninstall-service removes it: put changes
# of your own in a drop-in (systemctl --user edit {APP_NAME}), which both leave alone.
[Unit]
Description=Letter Kiosk
# Starts with the desktop session (the autostart entry starts it on desktops that have no
# graphical-session.target) and stops with it.
PartOf=graphical-session.target
After=graphical-session.target
# Keep trying for as long as it takes: RestartSec paces the attempts.
StartLimitIntervalSec=0

[Service]
Type=exec
WorkingDirectory={working_dir}
# Screen saver, monitor power saving and GNOME's idle blank and lock off, on every start; the
# "-": the kiosk starts even where that cannot be done (docs/deployment.md, section 4).
ExecStartPre=-{exec_line([*plan.command, "keep-screen-on"])}
ExecStart={exec_line(kiosk_run_args(plan))}
# The SMTP password and the event hub's PGPASSWORD, as KEY=value lines, readable by this user
# only (chmod 600); the "-": fine if the file does not exist.
EnvironmentFile=-%E/{APP_NAME}/env
# A crash or a kill: start again. A clean exit (staff pressed Quit the kiosk, or systemctl
# stop) leaves it stopped.
Restart=on-failure
RestartSec={RESTART_SECONDS}
# Exit 2 is a refusal (the campaign file, the letter store, a second kiosk on the same data):
# starting again would only fail again, every {RESTART_SECONDS} seconds, for ever.
RestartPreventExitStatus=2
# SIGTERM ends the kiosk in order: audit log, workers told to stop, store closed.
TimeoutStopSec=30

[Install]
WantedBy=graphical-session.target
"""


def autostart_text() -> str:
    start = (f"systemctl --user import-environment {' '.join(SESSION_VARIABLES)}; "
             f"systemctl --user start {UNIT_NAME}")
    return f"""\
{MARKER} (Letter Kiosk {__version__}); uninstall-service removes it.
[Desktop Entry]
Type=Application
Name=Letter Kiosk
Comment=Starts the {APP_NAME} service once the desktop is up
# For desktops that do not start systemd's graphical-session.target: hand the display to the
# user manager, then start the service (a kiosk already running is left as it is).
Exec=sh -c "{start}"
NoDisplay=true
X-GNOME-Autostart-enabled=true
"""
