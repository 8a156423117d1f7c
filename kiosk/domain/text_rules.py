"""What a visitor may type, made safe on purpose rather than by accident.

Visitors paste, use on-screen keyboards and sometimes lean on keys. We keep every printable
character they chose (accents, « », emoji: the printer module decides how to print those),
turn CR/LF variants into plain newlines, drop invisible control characters, and cap lengths.
"""

from __future__ import annotations

import re
import unicodedata

# Email address syntax is one rule for the whole kiosk, kept with the campaign models that check
# the campaign's own addresses; the Sign step and the email builder use it from here as before.
from kiosk.addresses import EMAIL_MAX as EMAIL_MAX
from kiosk.addresses import EmailFault as EmailFault
from kiosk.addresses import check_email as check_email
from kiosk.addresses import email_fault as email_fault

# Control (Cc) and format (Cf) characters, except tab and newline. Zero-width joiners (Cf) are
# kept because emoji sequences need them.
_KEEP_CF = {"\u200d", "\ufe0f"}
_BLANK_RUNS = re.compile(r"\n{3,}")

NAME_MAX = 80
CITY_MAX = 60
POSTAL_MAX = 12


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Normalise visitor text: NFC, LF newlines, no control characters, tidy whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\t", "    ")
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch == "\n":
            out.append("\n" if multiline else " ")
        elif cat == "Cc" or (cat == "Cf" and ch not in _KEEP_CF) or cat in ("Cs", "Co", "Cn"):
            continue
        else:
            out.append(ch)
    text = "".join(out)
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        return _BLANK_RUNS.sub("\n\n", text).strip("\n ")
    return " ".join(text.split())


def clean_line(text: str, max_len: int) -> str:
    """One-line fields (names, city): no newlines, collapsed spaces, at most max_len characters."""
    return clean_text(text, multiline=False)[:max_len].strip()


# A Canadian postal code: letter, digit, letter, space, digit, letter, digit (A1A 1A1).
_POSTAL_CA = re.compile(r"[A-Z]([0-9]([A-Z]([0-9]([A-Z]([0-9])?)?)?)?)?")


def format_postal_code(text: str) -> str:
    """Capitals, and a Canadian code laid out as ``A1A 1A1`` however it was typed (``r3c4t3``,
    ``R3C-4T3``). Anything else (a US ZIP, a French code) is kept as typed, in capitals: visitors
    come from elsewhere too. Works on a code still being typed, so the field can show it live."""
    upper = text.upper()
    compact = re.sub(r"[\s-]", "", upper)
    if compact and len(compact) <= 6 and _POSTAL_CA.fullmatch(compact):
        return compact if len(compact) <= 3 else f"{compact[:3]} {compact[3:]}"
    return upper


def body_length(text: str) -> int:
    """Length as the visitor sees it: characters after cleaning (an emoji counts as one)."""
    return len(clean_text(text))
