"""What a receipt printer can print: its profile (columns, paper, cutter) and one locked code page.

ESC/POS printers print bytes through a code page table chosen with ``ESC t n``. python-escpos's
MagicEncode switches tables per character and, for uppercase accented French, may pick a Turkish
table (CP857) that the printer renders wrongly; an ``ESC @`` mid-job also resets the table without
re-sending it. So we never use MagicEncode: each printer gets ONE code page, sent after every
``ESC @``, and every character the page cannot hold is replaced here, on purpose and predictably
(œ → oe, curly quotes → straight, emoji → removed, other scripts → ``[...]``). A ``?`` on paper
only ever comes from a ``?`` the visitor typed.

Profiles come from python-escpos's printer database, read as data by
``kiosk.config.printer_profiles``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from kiosk.config.printer_profiles import profile_info, python_codec

# Printed instead of a run of characters from a script the code page cannot show (Cyrillic, CJK…).
PLACEHOLDER = "[...]"

# Substitutes tried in order, first one the code page can hold wins. Kept small and explicit so
# the preview a visitor approves shows exactly these choices.
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "œ": ("oe",), "Œ": ("OE",), "æ": ("ae",), "Æ": ("AE",), "ß": ("ss",),
    "‘": ("'",), "’": ("'",), "‚": (",",), "‛": ("'",), "′": ("'",),
    "“": ('"',), "”": ('"',), "„": ('"',), "″": ('"',),
    "«": ("<<", '"'), "»": (">>", '"'), "‹": ("<",), "›": (">",),
    "–": ("-",), "—": ("-",), "‐": ("-",), "‑": ("-",), "−": ("-",),
    "…": ("...",), "€": ("EUR",), "•": ("*",), "·": (".",), "°": (" deg",),
    "→": ("->",), "←": ("<-",), "™": ("TM",), "©": ("(c)",), "®": ("(R)",),
    "×": ("x",), "÷": ("/",),
    "Đ": ("D",), "đ": ("d",), "Ł": ("L",), "ł": ("l",), "Ø": ("O",), "ø": ("o",),
    "\u00a0": (" ",), "\u202f": (" ",), "\u2009": (" ",), "\u2007": (" ",),
}

# Parts of emoji sequences that are not themselves pictographs: dropped silently.
_EMOJI_GLUE = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, flags (regional indicators), skin tones
    (0x2600, 0x27BF),  # misc symbols and dingbats
    (0x2B00, 0x2BFF),  # arrows and stars often used as emoji
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return ch in _EMOJI_GLUE or any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


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
        """Text this code page can print, every replacement chosen on purpose.

        Newlines are kept; no-break spaces become plain spaces (call ``protect_spaces`` first
        and ``finish`` after wrapping to keep French punctuation with its word).
        """
        out: list[str] = []
        placeholder_open = False
        char = _char_for(self.codec)
        for ch in unicodedata.normalize("NFC", text):
            rep = char(ch)
            if rep is None:  # a character from a script we cannot show
                if not placeholder_open:
                    out.append(PLACEHOLDER)
                placeholder_open = True
                continue
            placeholder_open = False
            out.append(rep)
        return "".join(out)

    def _char(self, ch: str) -> str | None:
        return _char_for(self.codec)(ch)

    def encode(self, text: str) -> bytes:
        """Bytes for the printer. ``text`` must already be substituted: raises rather than
        letting an encoder slip in a '?'."""
        return text.encode(self.codec)


@cache
def _char_for(codec: str) -> Callable[[str], str | None]:
    """The substitution of one character for ``codec``, remembered: a letter is a few thousand
    characters drawn from a few dozen, and each decision asks the codec and ``unicodedata``."""
    page = CodePage("", 0, codec)

    @lru_cache(maxsize=4096)
    def char(ch: str) -> str | None:
        return _substitute_char(page, ch)

    return char


def _substitute_char(page: CodePage, ch: str) -> str | None:
    if ch in "\n\xa0":
        return ch  # kept for wrapping; see finish()
    if ch == "\t":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and not _is_emoji(ch):
        return ""  # invisible or undefined: nothing to print
    if page.can_hold(ch):
        return ch
    for option in SUBSTITUTES.get(ch, ()):
        if page.can_hold(option):
            return option
    if _is_emoji(ch) or unicodedata.category(ch) in ("So", "Sk", "Mn", "Me"):
        return ""  # emoji and pictographs: removed, so the words around them read cleanly
    # Accented letters the page lacks (È on CP437): the base letter, as a typist would.
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch and page.can_hold(base):
        return base
    if unicodedata.category(ch).startswith("Z"):
        return " "
    return None


def protect_spaces(text: str) -> str:
    """French typography: keep « with its first word and ! ? : ; » with their last word,
    so wrapping never leaves a lone '!' at the start of a line."""
    text = text.replace("\u202f", "\xa0")
    return _FRENCH_SPACE.sub("\xa0", text)


def finish(line: str) -> str:
    """After wrapping: no-break spaces print as plain spaces."""
    return line.replace("\xa0", " ")
