"""What every command module shares: exit codes, the --config/--data-dir options, loading the
campaign. Command modules import this, never ``kiosk.cli`` itself, which loads them."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.app.core import Kiosk
    from kiosk.config import Campaign
    from kiosk.exports import ExportResult

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2  # also every other refusal (kiosk.errors): the service does not restart


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="campaign file (default: the bundled sample)")
    p.add_argument(
        "--data-dir", metavar="DIR", help="where letters are kept (default: your user data dir)"
    )


def add_hub(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hub", metavar="URL",
                   help="the event's hub, a libpq connection string without password (default: "
                        "[hub] in the campaign file; PG* environment variables fill the rest)")


def load(args: argparse.Namespace) -> tuple[Campaign, Path]:
    """The campaign and data dir a command works on. A campaign file that cannot be used
    raises ConfigError, a Refusal: main() prints each problem and exits 2. ``--hub URL``
    names the event's hub, whatever the file says."""
    from kiosk.app.preflight import load_campaign
    from kiosk.paths import resolve_data_dir

    campaign = load_campaign(config_path(getattr(args, "config", None)))
    if (url := getattr(args, "hub", None)) is not None:
        campaign = with_hub(campaign, url)
    return campaign, resolve_data_dir(getattr(args, "data_dir", None))


def with_hub(campaign: Campaign, url: str) -> Campaign:
    """The campaign with its hub at ``url``; refused (exit 2) like a bad [hub] url."""
    from kiosk.config.hub import conninfo_problem
    from kiosk.errors import Refusal

    if problem := conninfo_problem(url):
        raise Refusal(f"--hub: {problem}")
    from kiosk.app.preflight import hub_problems

    hub = campaign.hub.model_copy(update={"enabled": True, "url": url})
    campaign = campaign.model_copy(update={"hub": hub})
    if problems := hub_problems(campaign):
        raise Refusal(f"--hub: {problems[0]}")
    return campaign


def config_path(given: str | None) -> Path:
    """The campaign file as given (a link is not followed here, so that a message about it
    names what staff typed), or the bundled sample."""
    from kiosk.paths import resolve_config

    return Path(given).expanduser().absolute() if given else resolve_config(None)


def language(args: argparse.Namespace, campaign: Campaign) -> str:
    """The language of a command's messages: ``--lang``, else the campaign's."""
    return getattr(args, "lang", None) or campaign.campaign.default_language


@contextmanager
def opened(args: argparse.Namespace, *, reading: bool = False,
           os_errors: bool = True) -> Iterator[tuple[Kiosk, str]]:
    """The application core for one command, acting as "cli", and the messages' language.

    Storage failures while it is open are refused in that language (exit 2); ``os_errors=False``
    leaves other OSErrors to the command (an export's target, not the data folder). ``reading``:
    the command only reads, so a store on a read-only disk will do. Closed at the end.
    """
    from kiosk.app.context import CLI
    from kiosk.app.core import open_kiosk
    from kiosk.store.refusals import storage_refusals

    campaign, data_dir = load(args)
    lang = language(args, campaign)
    with storage_refusals(data_dir, lang):
        core = open_kiosk(campaign, data_dir, actor=CLI, reading=reading)
    try:
        with storage_refusals(data_dir, lang, os_errors=os_errors):
            yield core, lang
    finally:
        core.close()


def days(text: str) -> int:
    """An argparse type: a whole number of days, 0 or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number of days, 0 or more") from None
    if n < 0:
        raise argparse.ArgumentTypeError("a whole number of days, 0 or more")
    return n


def report_export(out: Path, lang: str, write: Callable[[], ExportResult]) -> int:
    """Run an export (a kiosk's or the whole event's) and say what it wrote, exit 0, or why it
    could not write, exit 1. A store or hub that cannot be used is a refusal, raised."""
    import sys

    from kiosk.exports import ExportError
    from kiosk.i18n import tr

    try:
        result = write()
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
    if result.not_recorded:
        print(tr("storage.not_recorded", lang, reason=result.not_recorded), file=sys.stderr)
    return EXIT_OK
