"""UI strings and the facts about each language, as data.

A language is a folder ``<code>/``: catalogs, TOML files one per area of the kiosk
(``ui.toml``, ``printing.toml``...) merged into one table per language, and ``language.toml``
(its name, plural rule, on-screen keyboard: ``language_file``). Translators edit them without
touching code. The languages the kiosk speaks are the folders here (``LANGUAGES``); a campaign
may bring more, checked and added with ``add_language`` when it is loaded (``kiosk.config``),
so ``languages()`` is the kiosk's and the campaign's.

Counts: ``{n:try|tries}`` is the word for the count ``n``, singular or plural by the language's
rule (``plural_is_one``), so ``"{n} {n:try|tries} left"`` reads "1 try left", "2 tries left",
and ``"{n} {n:essai restant|essais restants}"`` reads "0 essai restant", "2 essais restants".

Each language's own name (language.toml's ``name``) is the text ``attract.lang_<code>`` of
every catalog: the language buttons name each language in itself.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

from kiosk.i18n.language_file import (
    LANGUAGE_FILE,
    NEUTRAL_SAMPLE_VISITOR,
    Language,
    read_package_language,
)
from kiosk.i18n.texts import PLURAL_MARK, catalog_problems, fill, flatten, text_problem

__all__ = [
    "LANGUAGES",
    "LANGUAGE_FILE",
    "NEUTRAL_SAMPLE_VISITOR",
    "PLURAL_MARK",
    "REFERENCE",
    "Language",
    "add_language",
    "catalog",
    "catalog_problems",
    "english_name",
    "language",
    "languages",
    "long_date",
    "plural_is_one",
    "reference_files",
    "text_problem",
    "tr",
]

_DIR = Path(__file__).parent
# The languages the kiosk ships are the catalogs present: a folder with the UI's strings.
LANGUAGES: tuple[str, ...] = tuple(
    sorted(d.name for d in _DIR.iterdir() if (d / "ui.toml").is_file()))
# The kiosk's catalogs are written in English first; every other is checked against it.
REFERENCE = "en"
_NAME_KEY = "attract.lang_{code}"

# Languages a campaign brought (code → facts and flattened texts), as checked when it loaded.
_added: dict[str, tuple[Language, dict[str, str]]] = {}


def languages() -> tuple[str, ...]:
    """Every language the kiosk can speak now: its own and any a loaded campaign added."""
    return LANGUAGES + tuple(sorted(code for code in _added if code not in LANGUAGES))


def add_language(facts: Language, texts: Mapping[str, str]) -> None:
    """Speak a language a campaign brings, with its checked, flattened catalog. A language of
    the same code added before (an earlier campaign in this process) is replaced."""
    if facts.code in LANGUAGES:
        raise ValueError(f"{facts.code}: the kiosk ships this language; a campaign adds others")
    _added[facts.code] = (facts, dict(texts))
    catalog.cache_clear()  # every catalog names every language


def forget_added_languages() -> None:
    """Speak only the kiosk's own languages again: those campaigns added are forgotten."""
    _added.clear()
    catalog.cache_clear()


@cache
def _package_language(code: str) -> Language:
    return read_package_language(_DIR / code)


def language(code: str) -> Language:
    """The facts about ``code`` (KeyError for a language the kiosk cannot speak)."""
    if code in _added:
        return _added[code][0]
    if code in LANGUAGES:
        return _package_language(code)
    raise KeyError(code)


def english_name(code: str) -> str:
    """"French" for fr; the code itself for a language the kiosk does not know."""
    try:
        return language(code).english_name
    except KeyError:
        return code


@cache
def reference_files() -> dict[str, dict[str, str]]:
    """The kiosk's English catalogs, file name → flattened texts: what every language needs
    (without the language names, which come from each language.toml)."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted((_DIR / REFERENCE).glob("*.toml")):
        if path.name != LANGUAGE_FILE:
            with open(path, "rb") as f:
                out[path.name] = {k: str(v) for k, v in flatten(tomllib.load(f)).items()}
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    if lang in _added:
        flat = dict(_added[lang][1])
    else:
        flat = {}
        for path in sorted((_DIR / lang).glob("*.toml")):
            if path.name != LANGUAGE_FILE:
                with open(path, "rb") as f:
                    flat.update((k, str(v)) for k, v in flatten(tomllib.load(f)).items())
    for code in languages():
        flat[_NAME_KEY.format(code=code)] = language(code).name
    return flat


def tr(key: str, lang: str, /, **values: object) -> str:
    """The text for ``key`` in ``lang``; ``{name}`` placeholders filled from ``values``.

    A missing key raises KeyError: a blank button is worse than a crash caught in testing.
    """
    text = catalog(lang)[key]
    if not values:
        return text
    return fill(text, lambda n: plural_is_one(lang, n), values)


def long_date(when: date, lang: str) -> str:
    """A date written out, as on a letter: "November 1, 2026", "1er novembre 2026"."""
    month = tr("dates.months", lang).split("|")[when.month - 1]
    day = tr("dates.first_of_month", lang) if when.day == 1 else str(when.day)
    return tr("dates.long", lang, day=day, month=month, year=when.year)


def plural_is_one(lang: str, n: object) -> bool:
    """Whether ``n`` takes the singular in ``lang``, by the rule its language.toml names:
    English "1 try" but "0 tries"; French "0 essai" and "1 essai", "2 essais"."""
    count: int = abs(int(n))  # type: ignore[call-overload]
    try:
        return language(lang).is_one(count)
    except KeyError:
        return count == 1
