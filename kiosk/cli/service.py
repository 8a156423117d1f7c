"""The kiosk as a systemd user service: ``install-service``, ``uninstall-service`` and
``keep-screen-on`` (which the service runs before each start).

A *user* unit, run by the kiosk's own login: the kiosk needs that user's desktop session and
nothing of root's. Every refusal (no systemd here, no user manager to talk to, a unit written by
hand in the way) is a plain message and exit 2, and leaves the files as they were.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.cli.common import EXIT_OK, add_common
from kiosk.cli.service_files import (
    MARKER,
    UNIT_NAME,
    ServicePlan,
    autostart_path,
    autostart_text,
    env_file_path,
    unit_path,
    unit_text,
)
from kiosk.errors import Refusal

SLEEP_TARGETS = "sleep.target suspend.target hibernate.target hybrid-sleep.target"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("install-service",
                       help="start the kiosk with the desktop session and after a crash "
                            "(a systemd user service)")
    add_common(p)
    p.add_argument("--print", action="store_true",
                   help="show the files that would be written, and change nothing")
    p.add_argument("--replace", action="store_true",
                   help="overwrite a unit or autostart entry that install-service did not write")
    p.set_defaults(func=cmd_install_service)

    p = sub.add_parser("uninstall-service", help="undo install-service")
    p.set_defaults(func=cmd_uninstall_service)

    p = sub.add_parser("keep-screen-on",
                       help="turn off screen blanking for this desktop session (the service "
                            "runs it before each start)")
    p.set_defaults(func=cmd_keep_screen_on)


# --- install ------------------------------------------------------------------------------------


def cmd_install_service(args: argparse.Namespace) -> int:
    plan = service_plan(args)
    _check_campaign(plan.config)
    if args.print:
        print(f"# {unit_path()}")
        print(unit_text(plan))
        print(f"# {autostart_path()}")
        print(autostart_text(), end="")
        return EXIT_OK

    systemctl = _user_manager()
    files = {unit_path(): unit_text(plan), autostart_path(): autostart_text()}
    for path in files:
        if not args.replace and _hand_written(path):
            raise Refusal(
                f"{path} is already there and was not written by install-service (perhaps by "
                "hand, from docs/deployment.md). Nothing was changed.",
                ["Run install-service again with --replace to overwrite it, or remove it "
                 "first."])
    if os.geteuid() == 0:
        print("Note: you are root. An event kiosk should run as a user of its own with no "
              "admin rights (docs/deployment.md, section 1).", file=sys.stderr)

    before = {path: path.read_bytes() if path.is_file() else None for path in files}
    try:
        for path, text in files.items():
            _write(path, text)
        _systemctl(systemctl, "daemon-reload")
        _systemctl(systemctl, "enable", UNIT_NAME)
    except (OSError, Refusal):
        for path, old in before.items():  # put back what was there, then say why
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        raise

    print(f"Wrote {unit_path()}")
    print(f"  it runs: {' '.join(plan.command)} run --config {plan.config}"
          + (f" --data-dir {plan.data_dir}" if plan.data_dir else ""))
    print(f"Wrote {autostart_path()}")
    print("  it starts the service once the desktop is up, on desktops that do not do so "
          "themselves")
    print(f"Enabled {UNIT_NAME}: it starts with the graphical session, starts again 5 seconds "
          "after a crash, and stays stopped after a clean quit or a refusal (exit code 2).")
    print("Screen blanking: turned off each time the kiosk starts (X11: xset; GNOME: its idle "
          "and lock settings). Other Wayland desktops: docs/deployment.md, section 4.")
    print(f"Not done (it needs an admin): no sleep: sudo systemctl mask {SLEEP_TARGETS}")
    print(_env_file_note())
    print(f"To start it now, from the desktop: systemctl --user restart {UNIT_NAME}")
    print(f"Its log: journalctl --user -u {UNIT_NAME} -e")
    return EXIT_OK


def service_plan(args: argparse.Namespace) -> ServicePlan:
    from kiosk.paths import SOURCE_ROOT, bundled_root, resolve_config

    config = resolve_config(args.config)
    data_dir = Path(args.data_dir).expanduser().absolute() if args.data_dir else None
    # The venv's own script, not `python -m kiosk`: run from a home folder, -m would import a
    # folder named "kiosk" that happened to be there.
    script = Path(sys.executable).parent / "letter-kiosk"
    if script.is_file() and os.access(script, os.X_OK):
        return ServicePlan((str(script),), config, data_dir)
    # A clone run with a Python that has no letter-kiosk script: -m from the top of the tree.
    if bundled_root() == SOURCE_ROOT:
        return ServicePlan((sys.executable, "-m", "kiosk"), config, data_dir,
                           working_dir=str(SOURCE_ROOT))
    raise Refusal(f"The letter-kiosk program was not found beside {sys.executable}.",
                  ["Install Letter Kiosk (pipx install, or pip install in a virtual "
                   "environment) and run install-service from there."])


def _check_campaign(config: Path) -> None:
    """A service over a campaign that cannot load would only stay stopped: refuse it now."""
    from kiosk.app.preflight import campaign_warnings, load_campaign
    from kiosk.paths import sample_campaign

    campaign = load_campaign(config)
    for w in campaign_warnings(campaign):
        print(f"warning: {config}: {w}", file=sys.stderr)
    if config == sample_campaign():
        print("warning: the service would run the bundled sample campaign; make your own with "
              "init-campaign DIR and give it with --config", file=sys.stderr)


def _user_manager() -> str:
    """systemctl, once it is known to reach this user's systemd; a refusal saying why not."""
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        raise Refusal("systemctl was not found: this computer does not run systemd, so "
                      "install-service cannot set up the service. Nothing was changed.",
                      ["docs/deployment.md, \"Without install-service\", shows what to set "
                       "up by hand; install-service --print shows the files."])
    try:
        probe = subprocess.run([systemctl, "--user", "show-environment"], capture_output=True,
                               text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Refusal(f"systemctl --user could not be run: {e}. Nothing was changed.") from None
    if probe.returncode != 0:
        said = (probe.stderr.strip().splitlines() or ["no answer"])[-1]
        raise Refusal(
            f"This user's systemd (systemctl --user) cannot be reached: {said}. Nothing was "
            "changed.",
            ["Run install-service as the kiosk's user from its own login (its desktop, or "
             "ssh kiosk@this-computer), not through sudo or su, which leave the user's "
             "session behind.",
             "install-service --print shows the files without installing them."])
    return systemctl


def _systemctl(systemctl: str, *args: str) -> None:
    done = subprocess.run([systemctl, "--user", *args], capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise Refusal(f"systemctl --user {' '.join(args)} failed: {said}. Nothing was changed.")


def _hand_written(path: Path) -> bool:
    return (path.exists() or path.is_symlink()) and not _ours(path)


def _ours(path: Path) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.read_text(
            encoding="utf-8", errors="replace").startswith(MARKER)
    except OSError:
        return False


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.new")
    staging.write_text(text, encoding="utf-8")
    staging.chmod(0o644)
    staging.replace(path)


def _env_file_note() -> str:
    env = env_file_path()
    if not env.exists():
        return (f"Secrets (SMTP password, the hub's PGPASSWORD): none yet; put them in {env} "
                "as KEY=value lines, then chmod 600 it (docs/email.md).")
    mode = env.stat().st_mode & 0o777
    if mode & 0o077:
        return (f"Warning: {env} holds secrets and others can read it (mode {mode:o}): "
                f"chmod 600 {env}")
    return f"Secrets: read from {env} (readable by you only)."


# --- uninstall ----------------------------------------------------------------------------------


def cmd_uninstall_service(args: argparse.Namespace) -> int:
    files = [unit_path(), autostart_path()]
    if not any(_ours(p) for p in files):
        for path in files:
            if _hand_written(path):
                print(f"Left alone: {path} was not written by install-service.")
        print("No service installed by install-service was found: nothing to do.")
        return EXIT_OK
    systemctl = shutil.which("systemctl")
    had_unit = _ours(unit_path())
    reached = False
    if systemctl is not None and had_unit:
        done = subprocess.run([systemctl, "--user", "disable", "--now", UNIT_NAME],
                              capture_output=True, text=True, timeout=120)
        reached = done.returncode == 0
    for path in files:
        if _ours(path):
            path.unlink()
            print(f"Removed {path}")
        elif _hand_written(path):
            print(f"Left alone: {path} was not written by install-service.")
    # Without the user manager, disable did not run: its links would start a missing unit.
    for wants in unit_path().parent.glob("*.wants"):
        # Not glob("*.wants/<unit>"): that skips a link whose unit is already gone.
        if (link := wants / UNIT_NAME).is_symlink():
            link.unlink()
            print(f"Removed {link}")
    if systemctl is not None and reached:
        subprocess.run([systemctl, "--user", "daemon-reload"], capture_output=True, timeout=60)
        print(f"Stopped and disabled {UNIT_NAME}.")
    elif had_unit:
        print("This user's systemd could not be reached, so a kiosk running now was not "
              "stopped; it will not start at the next login.")
    return EXIT_OK


# --- keep the screen on -------------------------------------------------------------------------

# GNOME's own idle blank, lock and sleep (they work on X11 and Wayland alike).
GNOME_SETTINGS = (
    ("org.gnome.desktop.session", "idle-delay", "0"),
    ("org.gnome.desktop.screensaver", "idle-activation-enabled", "false"),
    ("org.gnome.desktop.screensaver", "lock-enabled", "false"),
    ("org.gnome.settings-daemon.plugins.power", "idle-dim", "false"),
    ("org.gnome.settings-daemon.plugins.power", "sleep-inactive-ac-type", "nothing"),
)


def cmd_keep_screen_on(args: argparse.Namespace) -> int:
    """Say what was turned off and what could not be; always exit 0, as the kiosk must start
    whatever happened here."""
    for line in keep_screen_on():
        print(line)
    return EXIT_OK


def keep_screen_on() -> list[str]:
    said: list[str] = []
    display = os.environ.get("DISPLAY")
    xset = shutil.which("xset")
    if display and xset:
        done = _quiet([xset, "s", "off", "s", "noblank", "-dpms"])
        said.append(f"X11 ({display}): screen saver and monitor power saving off" if done
                    else f"X11 ({display}): xset failed; the screen may still blank")
    elif display:
        said.append("X11: xset is not installed (Debian package x11-xserver-utils); the screen "
                    "may still blank")
    gsettings = shutil.which("gsettings")
    # Without the session's bus, gsettings writes to memory and forgets at once.
    if gsettings and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        # "writable" says true only for a schema installed (GNOME's) with its store reachable.
        present = [(schema, key, value) for schema, key, value in GNOME_SETTINGS
                   if _answer([gsettings, "writable", schema, key]) == "true"]
        failed = [f"{schema} {key}" for schema, key, value in present
                  if not _quiet([gsettings, "set", schema, key, value])]
        if present and not failed:
            said.append("GNOME: idle blank, lock and sleep off")
        elif failed:
            said.append(f"GNOME: could not set {', '.join(failed)}")
    if os.environ.get("WAYLAND_DISPLAY") and "GNOME" not in os.environ.get("XDG_CURRENT_DESKTOP",
                                                                          ""):
        said.append("Wayland: blanking is the compositor's setting (docs/deployment.md, "
                    "section 4)")
    if not said:
        said.append("No desktop session seen (no DISPLAY, no GNOME settings): nothing to do")
    return said


def _quiet(command: list[str]) -> bool:
    return _answer(command) is not None


def _answer(command: list[str]) -> str | None:
    """What ``command`` printed, stripped; None if it could not run or failed."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
