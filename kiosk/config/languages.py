"""Languages a campaign brings: catalogs in ``i18n/<code>/`` in its templates folder.

The kiosk speaks the languages of its own catalogs (``kiosk/i18n/<code>/``). A campaign may
add others: a folder ``i18n/<code>/`` beside ``letters/`` in its templates folder, holding a
``language.toml`` and every catalog file the kiosk's English folder has, each with every key.
They add languages; they never replace the kiosk's own (a folder named for one of those is
refused), so the words staff and visitors see in English and French are the tested ones.

Everything read is checked here, as the campaign file is: an organiser's file, read without
trusting it (size, regular file, UTF-8, TOML), every missing or unknown key named. A language
whose catalogs are sound is handed to ``kiosk.i18n.add_language`` by the loader; what was checked
is what is used, even if the files change later.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config.reading import UnreadableFile, read_text_file
from kiosk.i18n import (
    LANGUAGE_FILE,
    LANGUAGES,
    Language,
    add_language,
    catalog_problems,
    reference_files,
)
from kiosk.i18n.language_file import CODE, parse_language

CATALOGS_FOLDER = "i18n"
KEY = "campaign.templates_dir"  # the key whose folder holds them, named in their problems
MAX_CATALOG_BYTES = 256 * 1024  # the kiosk's largest catalog is 6 KB
MAX_FOLDERS = 50
_EVERY_FILE = ("; every language needs language.toml and every catalog of kiosk/i18n/en/ "
               "(copy them, then translate every text and change every value)")


@dataclass
class CampaignLanguages:
    """The languages found in a campaign's catalogs folder."""

    folder: Path | None = None
    # Every language folder there, sound or not: a campaign may list them (their problems
    # are reported once, here, not again as "no catalogs").
    found: tuple[str, ...] = ()
    sound: dict[str, tuple[Language, dict[str, str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def available(self) -> tuple[str, ...]:
        return LANGUAGES + tuple(c for c in self.found if c not in LANGUAGES)

    def add_to_kiosk(self) -> None:
        for facts, texts in self.sound.values():
            add_language(facts, texts)


def templates_folder(campaign_file: Path, raw: dict[str, Any]) -> Path | None:
    """The templates folder the file names, as Campaign.templates_path will (None when the
    key is not usable: the models report that)."""
    section = raw.get("campaign")
    name = section.get("templates_dir", "templates") if isinstance(section, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return None
    try:
        return (campaign_file.parent / name).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def read_campaign_languages(templates: Path | None) -> CampaignLanguages:
    if templates is None:
        return CampaignLanguages()
    folder = templates / CATALOGS_FOLDER
    try:
        if not templates.is_dir():
            return CampaignLanguages()  # kiosk.app.preflight names a templates folder that is not
    except OSError:
        return CampaignLanguages()
    try:
        if not folder.exists():
            return CampaignLanguages(folder)
        if not folder.is_dir():
            return CampaignLanguages(folder, problems=[
                f"{KEY}: {folder}: not a folder; a campaign's own languages go in "
                f"{CATALOGS_FOLDER}/<code>/ in its templates folder"])
        folders = sorted(p for p in folder.iterdir()
                         if not p.name.startswith(".") and p.is_dir())
    except OSError as e:
        return CampaignLanguages(
            folder, problems=[f"{KEY}: {folder}: cannot be read: {e.strerror or e}"])
    result = CampaignLanguages(folder)
    if len(folders) > MAX_FOLDERS:
        result.problems.append(f"{KEY}: {folder}: {len(folders)} folders; at most "
                               f"{MAX_FOLDERS} languages are read")
        return result
    found: list[str] = []
    for sub in folders:
        code = sub.name
        if not CODE.match(code):
            result.problems.append(
                f"{sub}: not a language folder; name it by the language's code, 2 or 3 "
                "lower-case letters (ISO 639), e.g. es")
            continue
        if code in LANGUAGES:
            result.problems.append(
                f"{sub}: the kiosk has its own {code} catalogs; a campaign's catalogs add "
                "languages, they do not replace the kiosk's (remove this folder)")
            continue
        found.append(code)
        facts, texts, problems = _read_language(sub)
        result.problems += problems
        if facts is not None and texts is not None and not problems:
            result.sound[code] = (facts, texts)
    result.found = tuple(found)
    # Reported under the key that leads to them, as templates are.
    result.problems = [f"{KEY}: {p}" for p in result.problems]
    return result


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        text = read_text_file(path, MAX_CATALOG_BYTES)
    except UnreadableFile as e:
        return None, e.reason + (_EVERY_FILE if e.missing else "")
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as e:
        return None, f"not valid TOML: {e}; check its quotes, brackets and = signs"
    except RecursionError:
        return None, "lists or tables nested too deeply"


def _read_language(folder: Path) -> tuple[Language | None, dict[str, str] | None, list[str]]:
    """The facts and the flattened catalog of one language folder, and its problems."""
    from kiosk.i18n.texts import flatten

    problems: list[str] = []
    facts: Language | None = None
    raw, why = _read_toml(folder / LANGUAGE_FILE)
    if raw is None:
        problems.append(f"{folder / LANGUAGE_FILE}: {why}")
    else:
        facts, wrong = parse_language(folder.name, raw)
        problems += [f"{folder / LANGUAGE_FILE}: {p}" for p in wrong]
    texts: dict[str, str] = {}
    reference = reference_files()
    for name, original in reference.items():
        path = folder / name
        raw, why = _read_toml(path)
        if raw is None:
            problems.append(f"{path}: {why}")
            continue
        flat = flatten(raw)
        problems += [f"{path}: {p}" for p in catalog_problems(original, flat)]
        texts.update((k, v) for k, v in flat.items() if isinstance(v, str))
    try:
        others = sorted(p.name for p in folder.glob("*.toml")
                        if p.name not in reference and p.name != LANGUAGE_FILE)
    except OSError:
        others = []
    problems += [f"{folder / name}: not a catalog the kiosk has; the files are "
                 f"{LANGUAGE_FILE}, {', '.join(reference)}" for name in others]
    return facts, texts, problems
