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
from contextlib import closing
from typing import TYPE_CHECKING

from kiosk.cli.common import EXIT_FAILED, EXIT_OK, add_common, load
from kiosk.i18n import LANGUAGES
from kiosk.store.refusals import storage_refusals

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from kiosk.config import Campaign
    from kiosk.delivery.outbox import DrainProgress
    from kiosk.store import Store
    from kiosk.store.outbox import ActionRefused, OutboxItem


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


def _setup(args: argparse.Namespace, *, reading: bool = False,
           ) -> tuple[Campaign, Path, Store, str]:
    """The campaign, data dir, an open store and the language. ``reading``: the command only
    reads, so a store on a read-only disk will do."""
    campaign, data_dir = load(args)
    from kiosk.store import open_store

    lang = args.lang or campaign.campaign.default_language
    with storage_refusals(data_dir, lang):
        store = open_store(data_dir, reading=reading)
    return campaign, data_dir, store, lang


def _warn_settings(campaign: Campaign) -> None:
    base = campaign.source.parent if campaign.source else None
    for w in campaign.email.warnings(base):
        print(f"warning: {w}", file=sys.stderr)


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
    from kiosk.delivery.outbox import OutboxCounts, OutboxStatus, ServerState
    from kiosk.store import outbox as q

    campaign, data_dir, store, lang = _setup(args, reading=True)
    with closing(store), storage_refusals(data_dir, lang):
        items = q.list_items(store, args.state)
        print(f"{'ID':>5}  {'STATE':<30}  {'TRY':>3}  {'WHEN (UTC)':<19}  TO")
        for item in items:
            print(_row(item, lang))
        counts = OutboxCounts.from_states(q.counts(store))
    server = ServerState.UNKNOWN
    if not campaign.email.enabled:
        server = ServerState.DISABLED
    elif not campaign.email.host:
        server = ServerState.NOT_CONFIGURED
    status = OutboxStatus(server, counts).describe(lang).splitlines()
    print(status[-1] if server is ServerState.UNKNOWN else "\n".join(status))
    _warn_settings(campaign)
    return EXIT_OK


def _act(args: argparse.Namespace, action: Callable[[Store], str]) -> int:
    """Run one staff action on the outbox; print what it did, or why it was refused."""
    from kiosk.store import outbox as q

    _, data_dir, store, lang = _setup(args)
    with closing(store), storage_refusals(data_dir, lang):
        try:
            done = action(store)
        except q.ActionRefused as e:
            return _refused(e, lang)
    print(done)
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    from kiosk.store import outbox as q

    def retry(store: Store) -> str:
        if args.failed:
            return f"{q.retry_failed(store, actor='cli')} failed email(s) queued again."
        q.retry(store, args.id, actor="cli")
        return f"Email {args.id} queued again."

    return _act(args, retry)


def cmd_cancel(args: argparse.Namespace) -> int:
    from kiosk.store import outbox as q

    def cancel(store: Store) -> str:
        q.cancel(store, args.id, actor="cli")
        return f"Email {args.id} cancelled."

    return _act(args, cancel)


def cmd_release(args: argparse.Namespace) -> int:
    from kiosk.store import outbox as q

    def release(store: Store) -> str:
        n = q.release_held(store, args.ids or None, actor="cli")
        return f"{n} held email(s) released."

    return _act(args, release)


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width if total <= 0 else min(width, width * done // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


def cmd_send(args: argparse.Namespace) -> int:
    from kiosk.delivery.outbox import OutboxService

    campaign, data_dir, store, lang = _setup(args)
    _warn_settings(campaign)
    if not getattr(args, "verbose", False):
        # The progress bar says it all; one log line per email would tear it apart.
        logging.getLogger("kiosk.delivery.outbox").setLevel(logging.WARNING)
    tty = sys.stderr.isatty()

    def show(p: DrainProgress) -> None:
        text = f"{progress_bar(p.done, p.total)}  sent {p.sent}, failed {p.failed}, later {p.later}"
        if tty:
            print("\r" + text, end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)
        if p.last is not None and p.last.outcome != "sent":
            print(("\n" if tty else "") + f"  {p.last.detail}", file=sys.stderr, flush=True)

    service = OutboxService(campaign, store)
    service.lang = lang  # staff's choice for the messages recorded and shown
    # SQLite's failures only: the mail server's are the outbox's to record, not storage's.
    with closing(store), storage_refusals(data_dir, lang, os_errors=False):
        result = service.drain(progress=show)
    if tty:
        print(file=sys.stderr)
    if result.blocked:
        print(result.blocked, file=sys.stderr)
    print(f"sent {result.sent}, failed {result.failed}, still waiting {result.later}, "
          f"held for review {result.held}")
    return EXIT_OK if result.ok else EXIT_FAILED
