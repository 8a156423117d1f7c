"""``letter-kiosk envelopes --out FILE.pdf``: the recipients' addresses for the letters printed
today (or on ``--date``), as envelopes of the campaign's paper's kind or as a sheet of labels
(``--labels avery5160|l7160``); ``--print`` also sends them to the office printer, asking for
the envelope size (which most printers take from their manual feed) or the label sheet's paper.

By default only letters printed on the receipt printer alone: a full page goes in a window
envelope that already shows its address (``--all`` includes them).

Exit 0: the file is written, or there was nothing to address (said, nothing written). Exit 2
(refusals, nothing written): a date that is not one, a file already there or a folder that
cannot take it, the PDF font missing, a store that cannot be read. Exit 1: the file is written
but the office printer did not take it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.cli.common import EXIT_FAILED, EXIT_OK, add_common, opened
from kiosk.i18n import LANGUAGES

if TYPE_CHECKING:
    from kiosk.app.core import Kiosk
    from kiosk.app.envelopes import Addresses

LABELS = ("avery5160", "l7160")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "envelopes", help="the addresses of the day's printed letters, as envelopes or labels")
    add_common(p)
    p.add_argument("--out", required=True, metavar="FILE.pdf",
                   help="the PDF to write (never overwritten)")
    p.add_argument("--labels", choices=LABELS,
                   help="a sheet of labels (Avery 5160 on Letter, L7160 on A4) instead of "
                        "envelopes (default: #10 or DL envelopes, by the office printer's paper)")
    p.add_argument("--date", metavar="YYYY-MM-DD",
                   help="the day the letters were printed, the kiosk's local day (default: today)")
    p.add_argument("--all", action="store_true", dest="everything",
                   help="also letters printed on a full page (they fit a window envelope)")
    p.add_argument("--print", action="store_true", dest="send",
                   help="also send them to the office printer ([office_printer]): envelopes "
                        "go in its manual (envelope) feed, label sheets in its tray")
    p.add_argument("--lang", choices=LANGUAGES,
                   help="language of the messages and the return address (default: the "
                        "campaign's)")
    p.set_defaults(func=cmd_envelopes)


def cmd_envelopes(args: argparse.Namespace) -> int:
    from kiosk.app.envelopes import day_addresses
    from kiosk.delivery.paper.fonts import FontMissing
    from kiosk.errors import Refusal
    from kiosk.i18n import tr

    out = Path(args.out).expanduser()
    # Printing is recorded in the audit log, so it needs a store it can write; writing a file
    # only reads (a store on a read-only disk still gives its addresses).
    with opened(args, reading=not args.send) as (core, lang):
        day = _day(args.date, lang)
        if out.exists():
            raise Refusal(tr("paper.exists", lang, path=out))
        if args.send and not core.campaign.office_printer.enabled:
            # Refused before anything is written: exit 2 means nothing was done.
            raise Refusal(tr("paper.print_no_printer", lang, path=out))
        try:
            done = day_addresses(core.campaign, core.store, day, lang=lang, labels=args.labels,
                                 everything=args.everything)
        except FontMissing as e:
            raise Refusal(str(e)) from None
        if done.left_for_windows:
            print(tr("paper.left_for_windows", lang, n=done.left_for_windows))
        if not done.letters:
            print(tr("paper.none_printed", lang, day=day.isoformat()))
            return EXIT_OK
        _write(out, done.pdf, lang)
        kind = tr(f"paper.kind_{done.kind}", lang)
        print(tr("paper.wrote", lang, path=out, kind=kind, n=done.letters, day=day.isoformat()))
        if args.send:
            return _send(core, done, out, lang)
    return EXIT_OK


def _day(given: str | None, lang: str) -> date:
    from kiosk.errors import Refusal
    from kiosk.i18n import tr

    if given is None:
        return date.today()
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise Refusal(tr("paper.bad_date", lang, given=given)) from None


def _write(out: Path, pdf: bytes, lang: str) -> None:
    """All of it under its name, or nothing (the export's way: a hidden file, then renamed)."""
    from kiosk.errors import Refusal
    from kiosk.exports import write_together
    from kiosk.i18n import tr

    try:
        write_together({out: pdf})
    except OSError as e:
        raise Refusal(tr("paper.cannot_write", lang, path=out,
                         error=e.strerror or e)) from None


def _send(core: Kiosk, done: Addresses, out: Path, lang: str) -> int:
    from kiosk.app.envelopes import load_hint
    from kiosk.delivery.cups_link import CupsRefused, CupsUnavailable
    from kiosk.i18n import tr

    settings = core.campaign.office_printer
    try:
        job = core.envelopes.print(done, lang=lang)  # recorded in the audit log, as the panel's
    except (CupsUnavailable, CupsRefused) as e:
        print(tr("paper.print_failed", lang, path=out, error=e), file=sys.stderr)
        return EXIT_FAILED
    print(tr("paper.printed", lang, queue=settings.queue, job=job))
    print(load_hint(done, lang))
    return EXIT_OK

