"""UI strings in English and French.

Catalogs are TOML files under ``<lang>/``, one per area of the kiosk (``ui.toml``,
``printing.toml``...), merged into one table per language. Translators edit them without touching
code. A test fails on any key that lacks a translation.

Counts: ``{n:try|tries}`` is the word for the count ``n``, singular or plural by the language's
rule (``plural_is_one``), so ``"{n} {n:try|tries} left"`` reads "1 try left", "2 tries left",
and ``"{n} {n:essai restant|essais restants}"`` reads "0 essai restant", "2 essais restants".
"""

from __future__ import annotations

import string
import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

_DIR = Path(__file__).parent
# The languages the kiosk speaks are the catalogs present: a folder with the UI's strings.
LANGUAGES: tuple[str, ...] = tuple(
    sorted(d.name for d in _DIR.iterdir() if (d / "ui.toml").is_file()))
PLURAL_MARK = "|"  # in a placeholder's format spec: "singular|plural"


@cache
def catalog(lang: str) -> dict[str, str]:
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for k, v in node.items():
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict):
                walk(key, v)
            else:
                flat[key] = str(v)

    for path in sorted((_DIR / lang).glob("*.toml")):
        with open(path, "rb") as f:
            walk("", tomllib.load(f))
    return flat


def tr(key: str, lang: str, /, **values: object) -> str:
    """The text for ``key`` in ``lang``; ``{name}`` placeholders filled from ``values``.

    A missing key raises KeyError: a blank button is worse than a crash caught in testing.
    """
    text = catalog(lang)[key]
    if not values:
        return text
    if PLURAL_MARK in text:
        return _CountFormatter(lang).format(text, **values)
    return text.format(**values)


def long_date(when: date, lang: str) -> str:
    """A date written out, as on a letter: "November 1, 2026", "1er novembre 2026"."""
    month = tr("dates.months", lang).split("|")[when.month - 1]
    day = tr("dates.first_of_month", lang) if when.day == 1 else str(when.day)
    return tr("dates.long", lang, day=day, month=month, year=when.year)


def plural_is_one(lang: str, n: object) -> bool:
    """Whether ``n`` takes the singular in ``lang`` (CLDR's rule for whole numbers): English
    "1 try" but "0 tries"; French "0 essai" and "1 essai", "2 essais"."""
    count = abs(int(n))  # type: ignore[call-overload]
    return count in (0, 1) if lang == "fr" else count == 1


class _CountFormatter(string.Formatter):
    """``str.format``, plus ``{n:singular|plural}`` choosing the word for the count ``n``."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if PLURAL_MARK not in format_spec:
            text: str = super().format_field(value, format_spec)
            return text
        one, _, other = format_spec.partition(PLURAL_MARK)
        return one if plural_is_one(self.lang, value) else other
