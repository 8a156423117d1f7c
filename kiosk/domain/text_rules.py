"""What a visitor may type, made safe on purpose rather than by accident.

Visitors paste, use on-screen keyboards and sometimes lean on keys. We keep every printable
character they chose (accents, « », emoji: the printer module decides how to print those),
turn CR/LF variants into plain newlines, drop invisible control characters, and cap lengths.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

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


# A Canadian postal code: letter, digit, letter, space, digit, letter, digit (A1A 1A1).
_POSTAL_CA = re.compile(r"[A-Z](\d([A-Z](\d([A-Z](\d)?)?)?)?)?")


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


# An address the kiosk can write into a header and an SMTP envelope as it is: a dot-atom local
# part in ASCII, and a domain in ASCII (an international domain is converted to punycode). A
# non-ASCII local part (jöhn@…) would need SMTPUTF8 from every server on the way, which the
# kiosk does not rely on: such addresses are refused, with their own reason, everywhere.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# Top-level names reserved for no mail on the internet (RFC 2606, 6761, 6762, 7686).
_NO_MAIL_TLDS = frozenset({"invalid", "local", "localhost", "test", "onion", "internal"})


class EmailFault(StrEnum):
    """Why ``check_email`` refuses an address."""

    INVALID = "invalid"  # not an address at all, or one no server would take
    NON_ASCII_LOCAL = "non_ascii_local"  # accents or other letters before the @


def _examine(text: str) -> tuple[str | None, EmailFault | None]:
    text = unicodedata.normalize("NFC", (text or "").strip())
    if not text or len(text) > EMAIL_MAX or text.count("@") != 1:
        return None, EmailFault.INVALID
    local, domain = text.split("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None, EmailFault.INVALID
    labels = domain.split(".")
    if (len(labels) < 2 or not all(_LABEL.match(label) for label in labels)
            or labels[-1].isdigit() or labels[-1] in _NO_MAIL_TLDS or len(domain) > 253):
        return None, EmailFault.INVALID
    if not local.isascii() and local.isprintable() and not any(ch.isspace() for ch in local):
        return None, EmailFault.NON_ASCII_LOCAL
    if len(local) > 64 or not _LOCAL.match(local):
        return None, EmailFault.INVALID
    return f"{local}@{domain}", None


def check_email(text: str) -> str | None:
    """The address as the kiosk writes it (ASCII, domain in lower case and punycode), or None
    when it is not one the kiosk can send to. The Sign step, the campaign file's checks and the
    email builder all use this one rule."""
    return _examine(text)[0]


def email_fault(text: str) -> EmailFault | None:
    """Why ``check_email(text)`` is None (None when the address is fine)."""
    return _examine(text)[1]
