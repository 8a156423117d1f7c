"""``python -m kiosk hub init|status``: the event's hub, from a terminal (docs/hub.md).

Neither needs a kiosk's data dir or Qt: they may run on the hub's own machine. A wrong URL, a
missing database or refused credentials is said plainly, exit 2; a hub that cannot be reached
now is exit 1 (try again).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kiosk.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_hub,
    config_path,
    days,
    report_export,
    with_hub,
)
from kiosk.i18n import LANGUAGES

if TYPE_CHECKING:
    from collections.abc import Callable

    from kiosk.config import Campaign


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hub = subparsers.add_parser("hub", help="the event's hub: several kiosks, one database")
    sub = hub.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    p = sub.add_parser("init", help="create or update the hub's tables (safe to run again)")
    _common(p, cmd_init)
    p = sub.add_parser("status", help="the kiosks the hub has seen, its letters and emails")
    _common(p, cmd_status)
    p = sub.add_parser("send", help="send the hub's waiting emails now, from this machine "
                                    "(it needs the mail server's password, not Qt)")
    _common(p, cmd_send)
    p = sub.add_parser("export", help="the whole event's counts.csv, letters.pdf and "
                                      "opt-ins.csv, from one snapshot of the hub")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.add_argument("--lang", choices=LANGUAGES, help="language of the cover pages and messages")
    _common(p, cmd_export)
    p = sub.add_parser("purge", help="remove visitors' names, places and emails at the hub "
                                     "from letters delivered long enough ago")
    p.add_argument("--days", type=days, metavar="N",
                   help="letters at the hub N days or more (default: staff.retention_days)")
    _common(p, cmd_purge)


def _common(p: argparse.ArgumentParser, func: Callable[[argparse.Namespace], int]) -> None:
    p.add_argument("--config", metavar="FILE", help="campaign file (default: the bundled sample)")
    add_hub(p)
    p.set_defaults(func=func)


def _campaign(args: argparse.Namespace) -> Campaign:
    from kiosk.app.preflight import load_campaign
    from kiosk.errors import Refusal

    campaign = load_campaign(config_path(args.config))
    if args.hub is not None:
        return with_hub(campaign, args.hub)
    if not campaign.hub.enabled:
        raise Refusal("This campaign has no hub: add [hub] with enabled = true and its url to "
                      "the campaign file, or give --hub URL (docs/hub.md).")
    return campaign


def cmd_init(args: argparse.Namespace) -> int:
    from kiosk.app.hub import init_hub
    from kiosk.config.hub import masked
    from kiosk.store.hub.link import HubAway

    campaign = _campaign(args)
    try:
        before, after = init_hub(campaign.hub)
    except HubAway as e:
        print(f"The hub cannot be reached now ({masked(campaign.hub.url)}): {e}", file=sys.stderr)
        return EXIT_FAILED
    where = masked(campaign.hub.url)
    if before == after:
        print(f"{where}: the hub's tables are up to date (version {after}).")
    elif before == 0:
        print(f"{where}: the hub's tables are made (version {after}).")
    else:
        print(f"{where}: the hub's tables moved from version {before} to {after}.")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.app.hub import hub_overview
    from kiosk.config.hub import masked
    from kiosk.store.hub.link import HubAway

    campaign = _campaign(args)
    try:
        seen = hub_overview(campaign.hub)
    except HubAway as e:
        print(f"The hub cannot be reached now ({masked(campaign.hub.url)}): {e}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{masked(campaign.hub.url)}: tables version {seen.version}; {seen.letters} letters")
    print(f"{'KIOSK':<20}  {'LAST SEEN':>12}  {'LETTERS':>7}  NOT YET AT THE HUB")
    for k in seen.kiosks:
        ago = _ago(k.seconds_ago)
        print(f"{k.name[:20]:<20}  {ago:>12}  {k.letters:>7}  {k.not_uploaded}")
    if not seen.kiosks:
        print("(no kiosk has reached the hub yet)")
    states = ", ".join(f"{state} {n}" for state, n in seen.emails.items()) or "none"
    print(f"emails: {states}")
    if seen.conflicts:
        print(f"warning: {seen.conflicts} letter(s) arrived again with other content; the hub "
              "kept its first copy (table letter_conflicts)", file=sys.stderr)
    return EXIT_OK


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{max(0, round(seconds))} s ago"
    if seconds < 5400:
        return f"{round(seconds / 60)} min ago"
    return f"{seconds / 3600:.1f} h ago"


def cmd_send(args: argparse.Namespace) -> int:
    import logging

    from kiosk.app.outbox import hub_queue
    from kiosk.cli.outbox import show_progress
    from kiosk.config.hub import masked
    from kiosk.delivery.outbox import OutboxService
    from kiosk.store.hub.link import HubAway

    campaign = _campaign(args)
    for w in campaign.email.warnings(campaign.source.parent if campaign.source else None):
        print(f"warning: {w}", file=sys.stderr)
    if not getattr(args, "verbose", False):
        logging.getLogger("kiosk.delivery.outbox").setLevel(logging.WARNING)
    queue = hub_queue(campaign, name="hub send")
    service = OutboxService(campaign, queue)
    try:
        result = service.drain(progress=show_progress())
    except HubAway as e:
        print(f"\nThe hub cannot be reached now ({masked(campaign.hub.url)}): {e}",
              file=sys.stderr)
        return EXIT_FAILED
    finally:
        queue.close()
    if result.blocked:
        print(result.blocked, file=sys.stderr)
    print(f"sent {result.sent}, failed {result.failed}, still waiting {result.later}, "
          f"held for review {result.held}")
    return EXIT_OK if result.ok else EXIT_FAILED




def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kiosk.app.hub import export_hub

    campaign = _campaign(args)
    lang = args.lang or campaign.campaign.default_language
    out = Path(args.out).expanduser()
    return report_export(out, lang, lambda: export_hub(campaign, out, lang=lang))


def cmd_purge(args: argparse.Namespace) -> int:
    from kiosk.app.hub import purge_hub
    from kiosk.config.hub import masked
    from kiosk.i18n import tr
    from kiosk.store.hub.link import HubAway

    campaign = _campaign(args)
    try:
        n, days = purge_hub(campaign, args.days)
    except HubAway as e:
        print(f"The hub cannot be reached now ({masked(campaign.hub.url)}): {e}", file=sys.stderr)
        return EXIT_FAILED
    print(tr("exports.purged", campaign.campaign.default_language, n=n, days=days))
    return EXIT_OK
