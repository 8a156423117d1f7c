"""UI strings in English and French.

Catalogs are TOML files, one per language, with the same keys; translators edit them without
touching code. A test fails on any key that lacks a translation.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr")
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    with open(_DIR / f"{lang}.toml", "rb") as f:
        raw = tomllib.load(f)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for k, v in node.items():
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict):
                walk(key, v)
            else:
                flat[key] = str(v)

    walk("", raw)
    return flat


def tr(key: str, lang: str, /, **values: object) -> str:
    """The text for ``key`` in ``lang``; ``{name}`` placeholders filled from ``values``.

    A missing key raises KeyError: a blank button is worse than a crash caught in testing.
    """
    text = catalog(lang)[key]
    return text.format(**values) if values else text
