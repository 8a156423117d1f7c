"""``python -m kiosk export --out DIR`` and ``python -m kiosk purge [--days N]``.

Both are safe while the kiosk runs: the export reads one consistent snapshot of the store, and
the purge is one transaction that leaves letters still waiting to print or send alone. Both are
written to the audit log with the actor "cli".
"""

from __future__ import annotations

import argparse
import sys

from kiosk.cli import EXIT_FAILED, EXIT_OK, add_common, load


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export", help="write counts.csv, letters.pdf (ready to post) and opt-ins.csv to a folder"
    )
    add_common(p)
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write into, e.g. a USB stick (created if missing)")
    _lang(p)
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser(
        "purge", help="remove visitors' names, places and emails from delivered letters"
    )
    add_common(p)
    p.add_argument("--days", type=_days, metavar="N",
                   help="only letters delivered at least N days ago; 0 = every delivered letter "
                        "(default: staff.retention_days from the campaign file)")
    _lang(p)
    p.set_defaults(func=cmd_purge)


def _lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("en", "fr"),
                   help="language of the messages and cover pages (default: the campaign's)")


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number of days, 0 or more") from None
    if n < 0:
        raise argparse.ArgumentTypeError("a whole number of days, 0 or more")
    return n


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kiosk.exports import ExportError, export_all
    from kiosk.i18n import tr

    campaign, data_dir = load(args)
    lang = args.lang or campaign.campaign.default_language
    out = Path(args.out).expanduser()
    try:
        result = export_all(campaign, data_dir, out, lang=lang, actor="cli")
    except ExportError as e:
        print(e, file=sys.stderr)
        return EXIT_FAILED
    except OSError as e:
        print(tr("exports.cannot_write", lang, path=out, error=e.strerror or e), file=sys.stderr)
        return EXIT_FAILED
    for path in result.paths:
        print(tr("exports.wrote", lang, path=path))
    print(tr("exports.summary", lang, letters=result.letters, free=result.postage_free,
             postage=result.needs_postage, opt_ins=result.opt_ins))
    if result.left_out:
        print(tr("exports.left_out", lang, n=result.left_out))
    if changed := result.chars_dropped + result.chars_replaced:
        print(tr("exports.chars_changed", lang, n=changed))
    return EXIT_OK


def cmd_purge(args: argparse.Namespace) -> int:
    from kiosk.i18n import tr
    from kiosk.store import Store
    from kiosk.store.retention import purge_personal_details

    campaign, data_dir = load(args)
    lang = args.lang or campaign.campaign.default_language
    days = campaign.staff.retention_days if args.days is None else args.days
    store = Store(data_dir)
    try:
        n = purge_personal_details(store, days, actor="cli")
    finally:
        store.close()
    print(tr("exports.purged", lang, n=n, days=days))
    return EXIT_OK
