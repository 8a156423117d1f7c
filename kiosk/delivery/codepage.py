"""What a receipt printer can print: its profile (columns, paper, cutter) and one locked code page.

ESC/POS printers print bytes through a code page table chosen with ``ESC t n``. python-escpos's
MagicEncode switches tables per character and, for uppercase accented French, may pick a Turkish
table (CP857) that the printer renders wrongly; an ``ESC @`` mid-job also resets the table without
re-sending it. So we never use MagicEncode: each printer gets ONE code page, sent after every
``ESC @``, and every character the page cannot hold is replaced here, on purpose and predictably
(œ → oe, curly quotes → straight, emoji → removed, other scripts → ``[...]``), by the rule every
output shares (``kiosk.domain.output_text``). A ``?`` on paper only ever comes from a ``?`` the
visitor typed.

Profiles come from python-escpos's printer database, read as data by
``kiosk.config.printer_profiles``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from kiosk.config.printer_profiles import profile_info, python_codec
from kiosk.domain.output_text import PLACEHOLDER, choose, clean_for_output

__all__ = ["PLACEHOLDER", "CodePage", "finish", "protect_spaces"]

# --- the locked code page -------------------------------------------------------------------


_FRENCH_SPACE = re.compile(r"(?<=[«‹]) | (?=[!?:;»›])")


@dataclass(frozen=True)
class CodePage:
    """One code page, locked for a printer: ``table`` is what ``ESC t`` selects."""

    name: str
    table: int
    codec: str

    @classmethod
    def for_printer(cls, profile: str, codepage: str, table: int | None = None) -> CodePage:
        name = codepage.upper()
        codec = python_codec(name)
        if codec is None:
            raise ValueError(f"code page {codepage!r} is not one we can encode")
        if table is None:
            table = profile_info(profile).code_pages.get(name)
            if table is None:
                raise ValueError(f"profile {profile!r} has no code page {name}")
        return cls(name, table, codec)

    def can_hold(self, text: str) -> bool:
        try:
            text.encode(self.codec)
        except UnicodeEncodeError:
            return False
        return True

    def substitute(self, text: str) -> str:
        """Text this code page can print, every replacement chosen on purpose (the one rule of
        ``kiosk.domain.output_text``).

        Newlines are kept; no-break spaces become plain spaces (call ``protect_spaces`` first
        and ``finish`` after wrapping to keep French punctuation with its word).
        """
        return clean_for_output(text, _char_for(self.codec)).text

    def encode(self, text: str) -> bytes:
        """Bytes for the printer. ``text`` must already be substituted: raises rather than
        letting an encoder slip in a '?'."""
        return text.encode(self.codec)


@cache
def _char_for(codec: str) -> Callable[[str], str | None]:
    """The choice for one character on ``codec``, remembered: a letter is a few thousand
    characters drawn from a few dozen, and each decision asks the codec and ``unicodedata``."""
    page = CodePage("", 0, codec)

    @lru_cache(maxsize=4096)
    def char(ch: str) -> str | None:
        return choose(ch, page.can_hold)

    return char


def protect_spaces(text: str) -> str:
    """French typography: keep « with its first word and ! ? : ; » with their last word,
    so wrapping never leaves a lone '!' at the start of a line."""
    text = text.replace("\u202f", "\xa0")
    return _FRENCH_SPACE.sub("\xa0", text)


def finish(line: str) -> str:
    """After wrapping: no-break spaces print as plain spaces."""
    return line.replace("\xa0", " ")
