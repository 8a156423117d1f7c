"""What a receipt printer can print: its profile (columns, paper, cutter) and one locked code page.

ESC/POS printers print bytes through a code page table chosen with ``ESC t n``. python-escpos's
MagicEncode switches tables per character and, for uppercase accented French, may pick a Turkish
table (CP857) that the printer renders wrongly; an ``ESC @`` mid-job also resets the table without
re-sending it. So we never use MagicEncode: each printer gets ONE code page, sent after every
``ESC @``, and every character the page cannot hold is replaced here, on purpose and predictably
(œ → oe, curly quotes → straight, emoji → removed, other scripts → ``[...]``). A ``?`` on paper
only ever comes from a ``?`` the visitor typed.

Profiles are read from python-escpos's capabilities.json *without importing python-escpos*, so
checking a campaign file stays fast and does not trigger the library's logging set-up.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

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


# --- profiles -----------------------------------------------------------------------------------

# When a profile does not say how wide its paper is ("default", "simple"), the paper decides.
PAPER_COLUMNS = {58: (32, 42), 80: (42, 56)}  # font A, font B
PAPER_DOTS = {58: 384, 80: 512}  # conservative printable width (80 mm heads have 512 or 576)


@cache
def capabilities() -> dict[str, Any]:
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("python-escpos is not installed (pip install python-escpos)")
    path = Path(next(iter(spec.submodule_search_locations))) / "capabilities.json"
    return json.loads(path.read_text(encoding="utf-8"))


def profile_names() -> list[str]:
    return sorted(capabilities()["profiles"])


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    font_columns: dict[int, int]
    width_mm: float | None
    width_dots: int | None
    code_pages: dict[str, int]  # code page name -> ESC t table number
    full_cut: bool
    part_cut: bool
    native_qr: bool

    @property
    def can_cut(self) -> bool:
        return self.full_cut or self.part_cut


def profile_info(name: str) -> ProfileInfo:
    """Facts about a python-escpos profile. KeyError for an unknown name."""
    data = capabilities()["profiles"][name]
    media = data.get("media", {}).get("width", {})
    pages: dict[str, int] = {}
    for table, page in sorted(data.get("codePages", {}).items(), key=lambda kv: int(kv[0])):
        # A page listed twice (POS-5890 has CP1252 at 16 and 71): the lower, standard slot.
        if page != "Unknown":
            pages.setdefault(page, int(table))
    feats = data.get("features", {})
    return ProfileInfo(
        name=name,
        font_columns={int(k): int(v["columns"]) for k, v in data.get("fonts", {}).items()
                      if str(v.get("columns", "")).isdigit()},
        width_mm=media.get("mm") if isinstance(media.get("mm"), int | float) else None,
        width_dots=media.get("pixels") if isinstance(media.get("pixels"), int) else None,
        code_pages=pages,
        full_cut=bool(feats.get("paperFullCut")),
        part_cut=bool(feats.get("paperPartCut")),
        native_qr=bool(feats.get("qrCode")),
    )


def python_codec(codepage: str) -> str | None:
    """The Python codec for an ESC/POS code page name, or None if we cannot encode it."""
    enc = capabilities()["encodings"].get(codepage.upper(), {})
    return enc.get("python_encode")


def known_codepages() -> list[str]:
    return sorted(k for k, v in capabilities()["encodings"].items() if v.get("python_encode"))


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
def _char_for(codec: str):
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
