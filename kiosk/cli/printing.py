"""Staff commands for printing: ``print-queue list|retry ID|cancel ID`` and ``test-print``.

Output is in the campaign's default language (or ``--lang``); exit codes are for scripts:
0 done, 1 the printer or the job could not do it, 2 the campaign file or the store is unusable.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kiosk.app.printing import OPEN
from kiosk.cli.common import EXIT_FAILED, EXIT_OK, add_common, opened
from kiosk.i18n import LANGUAGES, tr

if TYPE_CHECKING:
    from kiosk.store.print_jobs import PrintJob


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("print-queue", help="list, retry or cancel print jobs")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="show print jobs, newest first")
    lst.add_argument("--all", action="store_true", help="include printed and cancelled jobs")
    retry = actions.add_parser("retry", help="queue a job again")
    retry.add_argument("id", type=int, help="job id, from `print-queue list`")
    retry.add_argument("--reprint", action="store_true", help="also for a job already printed")
    cancel = actions.add_parser("cancel", help="do not print a queued job")
    cancel.add_argument("id", type=int, help="job id, from `print-queue list`")
    for sub in (lst, retry, cancel):
        add_common(sub)
        _add_lang(sub)
    p.set_defaults(func=cmd_print_queue)

    t = subparsers.add_parser(
        "test-print", help="print a sample receipt; exit 1 with the reason if it cannot"
    )
    add_common(t)
    _add_lang(t)
    t.set_defaults(func=cmd_test_print)


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES, help="language of the messages")


def cmd_print_queue(args: argparse.Namespace) -> int:
    # Listing works on a store on a read-only disk.
    with opened(args, reading=args.action == "list") as (core, lang):
        if args.action == "list":
            return _list(core.printing.jobs(None if args.all else OPEN), lang, everything=args.all)
        if args.action == "retry":
            done, key = core.printing.retry(args.id, reprint=args.reprint), "retried"
        else:
            from kiosk.delivery.cups_link import CupsUnavailable

            try:
                done, key = core.printing.cancel(args.id), "cancelled"
            except CupsUnavailable as e:
                print(f"{tr('office.staff.cancel_unreachable', lang)} ({e})")
                return EXIT_FAILED
    if done:
        print(tr(f"printing.cli.{key}", lang, id=args.id))
        return EXIT_OK
    print(tr("printing.cli.cannot_retry" if key == "retried" else "printing.cli.cannot_cancel",
             lang, id=args.id))
    return EXIT_FAILED


def _list(jobs: list[PrintJob], lang: str, *, everything: bool) -> int:
    if not jobs:
        print(tr("printing.cli.no_jobs" if everything else "printing.cli.no_waiting", lang))
        return EXIT_OK
    head = tr("printing.cli.columns", lang).split("|")
    rows = [
        [str(j.id), tr(f"office.cli.device_{j.device}", lang),
         tr(f"printing.job.{j.state}", lang), _local(j.created_at),
         str(j.attempts), j.recipient_id, j.language,
         ": ".join(x for x in (j.last_status, j.last_error) if x)]
        for j in jobs
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    return EXIT_OK


def cmd_test_print(args: argparse.Namespace) -> int:
    from kiosk.delivery.printer import PrinterLink
    from kiosk.delivery.receipt import ReceiptFormat

    # Reading is enough: a test print changes nothing to keep (it is recorded where it can be).
    with opened(args, reading=True) as (core, lang):
        settings = core.campaign.printer
        if settings.enabled:
            fmt = ReceiptFormat.from_settings(settings)
            print(tr("printing.cli.testing", lang,
                     target=PrinterLink(settings, core.data_dir).describe(),
                     profile=settings.profile, codepage=fmt.codepage.name,
                     table=fmt.codepage.table, columns=fmt.columns))
        result = core.printing.test_page(lang)
    print(result.message)
    if result.ok and result.unmonitored:
        print(tr("printing.cli.unmonitored", lang))
    return EXIT_OK if result.ok else EXIT_FAILED


def _local(iso: str) -> str:
    at = datetime.fromisoformat(iso)
    return at.replace(tzinfo=at.tzinfo or UTC).astimezone().strftime("%Y-%m-%d %H:%M")
