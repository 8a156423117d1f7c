"""``init-campaign DIR``: a campaign of the organiser's own to edit, made from the sample.

The sample campaign and its letter templates come with the kiosk (in the wheel, or at the top of
a clone); the organiser edits a copy, never those, which the next upgrade would replace.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from kiosk.cli.common import EXIT_OK

CAMPAIGN_FILE = "campaign.toml"
TEMPLATES = "templates"
# The sample sits in assets/ beside templates/; the copy sits beside its templates/ folder.
_TEMPLATES_DIR_LINE = re.compile(r'^templates_dir\s*=\s*"\.\./templates"[ \t]*$', re.MULTILINE)
_CHECK_HINT_LINE = re.compile(r"^# Check your edits with:.*$", re.MULTILINE)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init-campaign",
                       help="copy the sample campaign and its letter templates into DIR, to edit")
    p.add_argument("dir", metavar="DIR",
                   help="where to put campaign.toml and templates/ (made if missing; nothing "
                        "already there is overwritten)")
    p.set_defaults(func=cmd_init_campaign)


def cmd_init_campaign(args: argparse.Namespace) -> int:
    from kiosk.app.preflight import load_campaign
    from kiosk.paths import resolve_config

    sample = resolve_config(None)
    target = Path(args.dir).expanduser().absolute()
    campaign = init_campaign(sample, target)
    # The copy must load as the sample does; if it did not, that is a fault in this command.
    load_campaign(campaign)
    templates = sorted(p for p in (target / TEMPLATES).rglob("*") if p.is_file())
    print(f"Wrote {campaign}")
    print(f"Wrote {target / TEMPLATES}/ ({len(templates)} letter templates)")
    print(f"Next: edit {campaign} (every key is explained in docs/campaign.md), then check it:")
    print(f"  {_me()} check-config {shlex.quote(str(campaign))}")
    return EXIT_OK


def init_campaign(sample: Path, target: Path) -> Path:
    """Copy ``sample`` and the templates folder it names into ``target``; the copy's campaign
    file. Refuses, changing nothing, when either is already there."""
    from kiosk.errors import Refusal

    sample_templates = sample.parent.parent / TEMPLATES
    text = sample.read_text(encoding="utf-8")
    text, n = _TEMPLATES_DIR_LINE.subn(f'templates_dir = "{TEMPLATES}"', text)
    if n != 1:
        raise RuntimeError(f"{sample}: expected one templates_dir line naming ../templates")
    text = _CHECK_HINT_LINE.sub(
        f"# Check your edits with:  {_me()} check-config {CAMPAIGN_FILE}", text, count=1)

    if target.exists() and not target.is_dir():
        raise Refusal(f"{target} is a file, not a folder. Nothing was written.")
    there = [target / name for name in (CAMPAIGN_FILE, TEMPLATES)
             if (target / name).exists() or (target / name).is_symlink()]
    if there:
        raise Refusal(f"Not overwriting {there[0]}: it is already there. Nothing was written.",
                      ["Pick an empty folder, or move your own campaign out of the way first."])
    try:
        target.mkdir(parents=True, exist_ok=True)
        # Staged beside the destination, then moved in: an interrupted copy leaves no half
        # campaign that a second run would then refuse to replace.
        staging = Path(tempfile.mkdtemp(prefix=".init-campaign-", dir=target))
        try:
            _copy_tree(sample_templates, staging / TEMPLATES)
            (staging / CAMPAIGN_FILE).write_text(text, encoding="utf-8")
            (staging / TEMPLATES).rename(target / TEMPLATES)
            (staging / CAMPAIGN_FILE).rename(target / CAMPAIGN_FILE)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as e:
        raise Refusal(f"Could not write the campaign into {target}: {e.strerror or e}.",
                      ["Pick a folder you can write to."]) from None
    return target / CAMPAIGN_FILE


def _copy_tree(src: Path, dest: Path) -> None:
    """Contents only, not modes: a system-wide install's read-only files and folders must
    become copies the organiser can edit."""
    dest.mkdir()
    for path in sorted(src.rglob("*")):
        if path.is_dir():
            (dest / path.relative_to(src)).mkdir()
        elif path.is_file():
            shutil.copyfile(path, dest / path.relative_to(src))


def _me() -> str:
    """How the organiser ran the kiosk, for the next command to type."""
    return "letter-kiosk" if Path(sys.argv[0]).name == "letter-kiosk" else "python -m kiosk"
