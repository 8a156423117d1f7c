"""``python -m kiosk export --out DIR``, ``purge [--days N]`` and ``salvage``.

Export and purge are safe while the kiosk runs: the export reads one consistent snapshot of the
store, and the purge is one transaction that leaves letters still waiting to print or send
alone. Both are written to the audit log with the actor "cli". The export also works on a store
whose disk is read-only (it then says the audit log could not record it).

Salvage is for a store the kiosk refused as damaged, empty or missing; it needs the kiosk
stopped (it takes the data dir's lock) and is described in kiosk/store/salvage.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.cli.common import EXIT_OK, add_common, days, opened, report_export
from kiosk.i18n import LANGUAGES
from kiosk.store.refusals import storage_refusals


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    p.add_argument("--days", type=days, metavar="N",
                   help="only letters delivered at least N days ago; 0 = every delivered letter "
                        "(default: staff.retention_days from the campaign file)")
    _lang(p)
    p.set_defaults(func=cmd_purge)

    p = subparsers.add_parser(
        "salvage", help="copy what can be read from a damaged store into a new one; the "
                        "damaged files are kept aside, unchanged"
    )
    add_common(p)
    p.add_argument("--lang", choices=LANGUAGES,
                   help="language of the messages (default: the campaign's, else English)")
    p.set_defaults(func=cmd_salvage)


def _lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGUAGES,
                   help="language of the messages and cover pages (default: the campaign's)")




def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    # A store that cannot be read is a refusal (exit 2); a target that cannot be written is
    # this export failing (exit 1). A store on a read-only disk can still be exported: that is
    # how its letters get out.
    with opened(args, reading=True, os_errors=False) as (core, lang):
        return report_export(out, lang, lambda: core.records.export(out, lang=lang))


def cmd_purge(args: argparse.Namespace) -> int:
    from kiosk.i18n import tr

    with opened(args) as (core, lang):
        done = core.records.purge(args.days)
    print(tr("exports.purged", lang, n=done.letters, days=done.days))
    if not done.wal_cleared:
        print(tr("storage.wal_kept", lang), file=sys.stderr)
    return EXIT_OK


def cmd_salvage(args: argparse.Namespace) -> int:
    from kiosk.i18n import tr
    from kiosk.paths import resolve_data_dir
    from kiosk.single_instance import hold_lock
    from kiosk.store.salvage import MAIN_TABLES, salvage

    lang = args.lang or _campaign_language(args)
    with storage_refusals(Path(args.data_dir or "."), lang):
        data_dir = resolve_data_dir(args.data_dir)
    with storage_refusals(data_dir, lang):
        lock = hold_lock(data_dir)  # the kiosk must not write while the store is replaced
        try:
            report = salvage(data_dir)
        finally:
            lock.close()
    if report.healthy:
        print(tr("storage.salvage.healthy", lang, path=data_dir))
        return EXIT_OK
    print(tr("storage.salvage.done", lang, path=data_dir))
    for table, line in MAIN_TABLES.items():
        print("  " + tr(f"storage.salvage.{line}", lang, n=report.recovered.get(table, 0)))
    if other := sum(n for t, n in report.recovered.items() if t not in MAIN_TABLES):
        print("  " + tr("storage.salvage.other", lang, n=other))
    if report.from_pages:
        print("  " + tr("storage.salvage.from_pages", lang, n=report.from_pages))
    if report.lost_letters:
        print("  " + tr("storage.salvage.lost_letters", lang, n=report.lost_letters))
    if report.dropped:
        print("  " + tr("storage.salvage.dropped", lang, n=report.dropped))
    print(tr("storage.salvage.kept", lang, path=report.kept_in))
    print(tr("storage.salvage.next", lang))
    return EXIT_OK


def _campaign_language(args: argparse.Namespace) -> str:
    """The campaign's language for the messages. Not load(): salvage needs no campaign, and a
    broken campaign file must not stand between staff and their letters."""
    from kiosk.config import load_campaign
    from kiosk.errors import Refusal
    from kiosk.paths import resolve_config

    try:
        return load_campaign(resolve_config(args.config)).campaign.default_language
    except (Refusal, OSError, ValueError):
        return "en"
