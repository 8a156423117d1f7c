"""What a visitor may type, made safe on purpose rather than by accident.

Visitors paste, use on-screen keyboards and sometimes lean on keys. We keep every printable
character they chose (accents, « », emoji: the printer module decides how to print those),
turn CR/LF variants into plain newlines, drop invisible control characters, and cap lengths.
"""

from __future__ import annotations

import re
import unicodedata

# Control (Cc) and format (Cf) characters, except tab and newline. Zero-width joiners (Cf) are
# kept because emoji sequences need them.
_KEEP_CF = {"\u200d", "\ufe0f"}
_BLANK_RUNS = re.compile(r"\n{3,}")

NAME_MAX = 80
CITY_MAX = 60
POSTAL_MAX = 12
EMAIL_MAX = 254


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


def body_length(text: str) -> int:
    """Length as the visitor sees it: characters after cleaning (an emoji counts as one)."""
    return len(clean_text(text))


_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(text: str) -> str | None:
    """Return the normalised address, or None if it is not one we would send a reply to."""
    text = text.strip()
    if not text or len(text) > EMAIL_MAX or not _EMAIL_SHAPE.match(text):
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
