"""The command line: ``python -m kiosk <command>`` and the ``letter-kiosk`` script.

Each area of the kiosk adds its own subcommands through a ``register(subparsers)`` function in
its module of this package (``printing``, ``outbox``, ``records``), so this file stays a table of
contents. Heavy modules (Qt, escpos) are imported inside commands.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from kiosk import __version__

# What every command shares (the command modules import it from kiosk.cli.common).
from kiosk.cli.common import (
    EXIT_BAD_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    add_common,
    add_hub,
    config_path,
    load,
)

log = logging.getLogger("kiosk")

__all__ = ["EXIT_BAD_CONFIG", "EXIT_FAILED", "EXIT_OK", "add_common", "config_path", "load",
           "main"]


def setup_logging(verbose: bool = False) -> None:
    from kiosk.logs import setup

    setup(verbose)


# --- commands -----------------------------------------------------------------------------------


def cmd_check_config(args: argparse.Namespace) -> int:
    """Exit 0 if the file can be used (warnings on stderr); a ConfigError (exit 2) if not."""
    from kiosk.app.preflight import campaign_warnings, load_campaign

    path = config_path(args.file or args.config)
    campaign = load_campaign(path)
    for w in campaign_warnings(campaign):
        print(f"warning: {path}: {w}", file=sys.stderr)
    langs = ", ".join(campaign.languages)
    print(f"{path}: OK ({len(campaign.recipients)} recipients, "
          f"{len(campaign.starting_texts)} starting texts, languages {langs})")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    campaign, data_dir = load(args)
    from kiosk.single_instance import AlreadyRunning, hold_lock

    try:
        lock = hold_lock(data_dir)
    except AlreadyRunning as e:
        # Another kiosk has this data dir: restarting would only fail again.
        print(e, file=sys.stderr)
        return EXIT_BAD_CONFIG
    from kiosk.ui.app import run_kiosk

    try:
        return run_kiosk(campaign, data_dir, windowed=args.windowed)
    finally:
        lock.close()


def cmd_render_screens(args: argparse.Namespace) -> int:
    """Every screen offscreen; then, for a touchscreen campaign, the Write and Sign steps with
    the on-screen keyboard open, on a private Xvfb for each screen shape. Without Xvfb those
    are skipped with a note (exit 0: the other pictures are saved); a keyboard picture that
    could not be made is exit 1, a fault in the kiosk or this machine, not in the input."""
    campaign, data_dir = load(args)
    from kiosk.ui.screenshots import render_screens

    out = Path(args.out)
    written = render_screens(campaign, out, data_dir=data_dir,
                             size=tuple(int(x) for x in args.size.split("x")),
                             text_size=args.text_size, high_contrast=args.high_contrast)
    for p in written:
        print(p, flush=True)
    if args.no_keyboard or not campaign.campaign.touchscreen:
        return EXIT_OK  # without a touchscreen the kiosk never shows the keyboard
    from kiosk.ui.keyboard_shots import KeyboardShotsFailed, render_keyboard_screens
    from kiosk.xvfb import XvfbMissing

    try:
        render_keyboard_screens(campaign, out, text_size=args.text_size,
                                high_contrast=args.high_contrast,
                                on_saved=lambda p: print(p, flush=True))
    except XvfbMissing:
        print("The screens with the on-screen keyboard need the xvfb package (Xvfb); "
              "they were skipped.", file=sys.stderr)
    except KeyboardShotsFailed as e:
        print(e, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_hash_pin(args: argparse.Namespace) -> int:
    """Ask for a PIN twice (hidden) and print the line to paste under [staff]. A PIN the pad
    cannot type, or two different entries, is refused (exit 2) with nothing printed to paste."""
    import getpass

    from kiosk.errors import Refusal
    from kiosk.pin_rules import hash_pin, pin_problem

    try:
        if args.stdin:
            first = second = sys.stdin.readline().strip()
        else:
            first = getpass.getpass("New staff PIN (4 to 12 digits): ")
            second = getpass.getpass("The same PIN again: ")
    except (EOFError, KeyboardInterrupt):
        raise Refusal("No PIN was given. Nothing was changed.") from None
    if first != second:
        raise Refusal("The two PINs are different. Nothing was changed.")
    if problem := pin_problem(first):
        raise Refusal(f"Not a usable PIN: {problem}. Nothing was changed.")
    hashed = hash_pin(first)
    print("Put this line under [staff] in your campaign file:")
    print(f'pin_hash = "{hashed}"')
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="letter-kiosk", description="Letter Kiosk: write to decision-makers at an event."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the log")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="start the kiosk (the default)")
    add_common(p)
    add_hub(p)
    p.add_argument("--windowed", action="store_true",
                   help="a normal window instead of frameless fullscreen (for development)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check-config", help="check a campaign file; exit 0 if usable, 2 if not")
    p.add_argument("file", nargs="?", help="campaign file (default: --config or the sample)")
    add_common(p)
    p.set_defaults(func=cmd_check_config)

    p = sub.add_parser("render-screens", help="save a PNG of every screen in every language, "
                                              "and the keyboard open at three screen sizes")
    add_common(p)
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--size", default="1280x800",
                   help="WIDTHxHEIGHT (default 1280x800); the keyboard screens come in "
                        "1280x800, 1920x1080 and 1080x1920 whatever this says")
    p.add_argument("--text-size", type=int, choices=(100, 150, 200), default=100)
    p.add_argument("--high-contrast", action="store_true")
    p.add_argument("--no-keyboard", action="store_true",
                   help="skip the screens with the on-screen keyboard (they need Xvfb)")
    p.set_defaults(func=cmd_render_screens)

    p = sub.add_parser("hash-pin", help="make the staff PIN's hash for the campaign file")
    p.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    p.set_defaults(func=cmd_hash_pin)

    for module in _command_modules():
        module.register(sub)
    return parser


def _command_modules() -> list[ModuleType]:
    import importlib

    out = []
    for name in ("kiosk.cli.printing", "kiosk.cli.outbox", "kiosk.cli.records", "kiosk.cli.hub",
                 "kiosk.cli.setup_campaign", "kiosk.cli.service", "kiosk.cli.envelopes"):
        try:
            out.append(importlib.import_module(name))
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `python main.py --windowed` and `letter-kiosk --config x` mean "run".
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    setup_logging(getattr(args, "verbose", False))
    from kiosk.errors import Refusal
    from kiosk.store.hub.link import HubAway

    try:
        return int(args.func(args) or 0)
    except Refusal as e:
        for line in e.lines():
            print(line, file=sys.stderr)
        return EXIT_BAD_CONFIG
    except HubAway as e:
        # The event's hub cannot be reached now (any command that needed it): try again.
        print(f"The hub cannot be reached now: {e}", file=sys.stderr)
        return EXIT_FAILED
