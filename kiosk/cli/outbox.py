"""``python -m kiosk outbox ...``: staff control of the email outbox from a terminal.

``list``, ``retry ID|--failed``, ``cancel ID``, ``release [ID...]``, ``send``. Safe to use while
the kiosk runs: every change is one SQLite transaction, and a row being sent is leased, so the
kiosk and ``outbox send`` never send the same email. A running kiosk notices changes made here
within its idle interval (30 s).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from kiosk.cli.common import EXIT_FAILED, EXIT_OK, add_common, opened
from kiosk.i18n import LANGUAGES

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.app.core import Kiosk
    from kiosk.app.outbox import ActionRefused
    from kiosk.delivery.outbox import DrainProgress
    from kiosk.store.outbox import OutboxItem


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = subparsers.add_parser("outbox", help="see and control the email outbox")
    sub = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="every email with its state, attempts and last error")
    p.add_argument("--state", action="append", metavar="STATE",
                   help="only this state (held, queued, sending, retry, unknown, sent, failed, "
                        "cancelled); may be repeated")
    _common(p, cmd_list)

    p = sub.add_parser("retry", help="send an email again now (or every failed one)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, help="the email's number (see `outbox list`)")
    which.add_argument("--failed", action="store_true", help="every failed email")
    _common(p, cmd_retry)

    p = sub.add_parser("cancel", help="never send this email")
    p.add_argument("id", type=int)
    _common(p, cmd_cancel)

    p = sub.add_parser("release", help="let emails held for review go (all, or those IDs)")
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    _common(p, cmd_release)

    p = sub.add_parser("send", help="send what is waiting now, in the foreground")
    _common(p, cmd_send)


def _common(p: argparse.ArgumentParser, func: Callable[[argparse.Namespace], int]) -> None:
    add_common(p)
    p.add_argument("--lang", choices=LANGUAGES,
                   help="language of the messages (default: the campaign's)")
    p.set_defaults(func=func)


def _refused(e: ActionRefused, lang: str) -> int:
    from kiosk.i18n import tr

    key = e.reason if e.reason in ("not_found", "sending", "sent") else "other"
    state = tr(f"email.state.{e.reason}", lang) if key == "other" else ""
    print(tr(f"email.refused.{key}", lang, id=e.outbox_id, state=state), file=sys.stderr)
    return EXIT_FAILED


# --- commands ------------------------------------------------------------------------------------


def _row(item: OutboxItem, lang: str) -> str:
    from kiosk.i18n import tr

    stamp = (item.sent_at or "") if item.state == "sent" else item.next_attempt_at
    when = stamp[:19].replace("T", " ")
    line = (f"{item.id:>5}  {tr(f'email.state.{item.state}', lang):<30}  {item.attempts:>3}  "
            f"{when}  {item.to_addr}")
    extra = [e for e in (item.last_error, item.note) if e]
    if item.maybe_delivered:
        extra.append(tr("email.note.maybe_twice", lang))
    return line + "".join(f"\n       {e}" for e in extra)


def cmd_list(args: argparse.Namespace) -> int:
    with opened(args, reading=True) as (core, lang):
        print(f"{'ID':>5}  {'STATE':<30}  {'TRY':>3}  {'WHEN (UTC)':<19}  TO")
        for item in core.outbox.items(args.state):
            print(_row(item, lang))
        status = core.outbox.status()
        warnings = core.outbox.warnings()
    # The server as the settings describe it; its counts line alone while the server was not
    # asked (a terminal does not talk to it to list the outbox).
    lines = status.describe(lang).splitlines()
    print(lines[-1] if status.server == "unknown" else "\n".join(lines))
    _warn(warnings)
    return EXIT_OK


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)


def _act(args: argparse.Namespace, action: Callable[[Kiosk], str]) -> int:
    """Run one staff action on the outbox; print what it did, or why it was refused."""
    from kiosk.app.outbox import ActionRefused

    with opened(args) as (core, lang):
        try:
            done = action(core)
        except ActionRefused as e:
            return _refused(e, lang)
    print(done)
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    def retry(core: Kiosk) -> str:
        if args.failed:
            return f"{core.outbox.retry_failed()} failed email(s) queued again."
        core.outbox.retry(args.id)
        return f"Email {args.id} queued again."

    return _act(args, retry)


def cmd_cancel(args: argparse.Namespace) -> int:
    def cancel(core: Kiosk) -> str:
        core.outbox.cancel(args.id)
        return f"Email {args.id} cancelled."

    return _act(args, cancel)


def cmd_release(args: argparse.Namespace) -> int:
    def release(core: Kiosk) -> str:
        return f"{core.outbox.release(args.ids or None)} held email(s) released."

    return _act(args, release)


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width if total <= 0 else min(width, width * done // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def show_progress() -> Callable[[DrainProgress], None]:
    """A progress bar on stderr (one line a step when stderr is not a terminal), and what went
    wrong with an email, under it."""
    tty = sys.stderr.isatty()

    def show(p: DrainProgress) -> None:
        text = f"{progress_bar(p.done, p.total)}  sent {p.sent}, failed {p.failed}, later {p.later}"
        if tty:
            print("\r" + text, end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)
        if p.last is not None and p.last.outcome != "sent":
            print(("\n" if tty else "") + f"  {p.last.detail}", file=sys.stderr, flush=True)

    return show


def cmd_send(args: argparse.Namespace) -> int:
    if not getattr(args, "verbose", False):
        # The progress bar says it all; one log line per email would tear it apart.
        logging.getLogger("kiosk.delivery.outbox").setLevel(logging.WARNING)
    # SQLite's failures only: the mail server's are the outbox's to record, not storage's.
    with opened(args, os_errors=False) as (core, lang):
        _warn(core.outbox.warnings())
        result = core.outbox.send_now(lang, progress=show_progress())
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if result.blocked:
        print(result.blocked, file=sys.stderr)
    print(f"sent {result.sent}, failed {result.failed}, still waiting {result.later}, "
          f"held for review {result.held}")
    return EXIT_OK if result.ok else EXIT_FAILED
