"""Visitor text made drawable by one output: the receipt printer's code page, the PDF's font.

One rule for every output, parameterised by what the output can show: characters it can show
are kept; a few common ones it cannot get a plain stand-in (œ → oe, curly quotes → straight);
emoji, pictographs and invisible characters are removed, and the gap they leave closes ("Merci 🙏
beaucoup" reads "Merci beaucoup"); an accented letter falls back to its base letter, as a typist
would; a run of characters from a script the output cannot show at all becomes one ``[...]``.
Every change is on purpose and counted, so a "?" on paper only ever comes from a "?" typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Shown instead of a run of characters from a script the output cannot show (Cyrillic, CJK…).
PLACEHOLDER = "[...]"

# Stand-ins tried in order, the first one the output can show wins. Kept small and explicit so
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

# Parts of emoji sequences that are not themselves pictographs: removed with them.
_EMOJI_GLUE = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, flags (regional indicators), skin tones
    (0x2600, 0x27BF),  # misc symbols and dingbats
    (0x2B00, 0x2BFF),  # arrows and stars often used as emoji
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)
_GONE = "\x00"  # marks a removed character until the spaces around it are tidied
_GONE_RUN = re.compile(r"[ \x00]*\x00[ \x00]*")


def is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return ch in _EMOJI_GLUE or any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


def choose(ch: str, can_show: Callable[[str], bool]) -> str | None:
    """What one character becomes: itself, a stand-in, "" (removed), or None (no way to show
    it: part of a ``[...]``). Newlines and no-break spaces are kept for the layout."""
    if ch in "\n\xa0":
        return ch
    if is_emoji(ch):
        return ""
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ""  # invisible or undefined: nothing to show
    if can_show(ch):
        return ch
    for option in SUBSTITUTES.get(ch, ()):
        if can_show(option):
            return option
    if category in ("So", "Sk", "Mn", "Me"):
        return ""  # pictographs and loose marks: removed, so the words around them read cleanly
    if category.startswith("Z"):
        return " "
    # A compatibility form (ﬁ, full-width letters) or an accented letter the output lacks.
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and base != ch and all(can_show(c) for c in base):
        return base
    return None


@dataclass
class Cleaned:
    text: str
    removed: int = 0  # characters dropped (emoji, invisible characters)
    replaced: int = 0  # characters shown as a stand-in, a base letter or [...]


def clean_for_output(text: str, choose_char: Callable[[str], str | None], *,
                     tab: str = " ") -> Cleaned:
    """``text`` as an output can show it; ``choose_char`` is ``choose`` bound to that output
    (and cached by it: a letter is a few thousand characters drawn from a few dozen)."""
    out: list[str] = []
    removed = replaced = 0
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\t", tab)
    for ch in text:
        rep = choose_char(ch)
        if rep is None:
            replaced += 1
            if not out or out[-1] != PLACEHOLDER:
                out.append(PLACEHOLDER)
            continue
        if rep != ch:
            replaced += bool(rep)
            removed += not rep
        out.append(rep or _GONE)
    # "Thanks 🙏 for" reads "Thanks for", not "Thanks  for": the gap closes with the emoji.
    joined = _GONE_RUN.sub(lambda m: " " if " " in m.group() else "", "".join(out))
    return Cleaned(joined, removed, replaced)
