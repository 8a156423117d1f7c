"""UI strings in English and French.

Catalogs are TOML files under ``<lang>/``, one per area of the kiosk (``ui.toml``,
``printing.toml``...), merged into one table per language. Translators edit them without touching
code. A test fails on any key that lacks a translation.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr")
_DIR = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, str]:
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
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
    return text.format(**values) if values else text
