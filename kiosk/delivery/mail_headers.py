"""Header fields the kiosk writes itself, so that a visitor's text is never read as header syntax.

Why not ``email.headerregistry``: it *parses* the value it is given, and parsing decodes RFC 2047
encoded words found in it. A visitor who typed ``=?q?q?=0D=0ABcc:x=40y.z=0D=0A?=`` as a first name
had it decoded to a line break and a Bcc line, which Python 3.11.7 and 3.12.1 then wrote to the
wire; other releases decode ``=?utf-8?q?pm=40pm.gc.ca?=`` into an address shown in the name. The
behaviour differs between patch releases, so the kiosk does not depend on it.

Here every header carrying text is written the way a careful mail library writes it:

* plain printable ASCII that cannot be mistaken for an encoded word is written as it is (atoms,
  or a quoted string when it holds punctuation such as "Jane D.");
* anything else (accents, emoji, ``=?``, ``?=``, quotes, long words) becomes RFC 2047 encoded
  words made here from the text's own UTF-8 bytes: a reader decodes them once, back to the text;
* lines are folded only before an existing space, so unfolding gives the value back unchanged.

In a display name, the words that need encoding are encoded together, one encoded word per run
of such words: readers disagree about the space between two encoded words in a phrase (RFC 2047
says drop it, Python's parser keeps it), so a run is split only when it is too long for one
encoded word, which the kiosk avoids by capping visitor names in bytes as well as characters.

The result goes into the message as a header object (``name`` and ``fold()``), which
``email.policy.EmailPolicy`` documents it stores and writes without parsing it again.
Standard library only: a test runs this under every CPython the machine has.
"""

from __future__ import annotations

import base64
import string
from typing import Any

# RFC 5322 atext, without "=" and "?": together they open and close an encoded word.
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/^_`{|}~")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
# RFC 2047 5(3): the only characters a Q-encoded word in a phrase may carry as themselves.
_Q_SAFE = frozenset(string.ascii_letters + string.digits + "!*+-/")
# RFC 2047 allows 75; 68 keeps the first line within 78 characters after "Reply-To: ".
ENCODED_WORD_MAX = 68
PLAIN_WORD_MAX = 60  # a longer word is encoded, so that every line stays within 78 characters
# The most UTF-8 bytes a run of encoded text may hold to fit in one encoded word (base64).
ONE_WORD_BYTES = (ENCODED_WORD_MAX - len("=?utf-8?b??=")) // 4 * 3
_PREFIX = "=?utf-8?{}?"


def _plain(text: str, forbidden: str) -> bool:
    """Whether ``text`` can be written as it is: one line of printable ASCII, single spaces,
    nothing that opens or closes an encoded word, and words short enough to fold."""
    return (
        all(ch in _PRINTABLE and ch not in forbidden for ch in text)
        and "=?" not in text and "?=" not in text
        and text == " ".join(text.split())
        and all(len(word) <= PLAIN_WORD_MAX for word in text.split(" "))
    )


def _q(data: bytes) -> str:
    return "".join(
        "_" if b == 0x20 else chr(b) if chr(b) in _Q_SAFE else f"={b:02X}" for b in data)


def _b(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encoded_words(text: str) -> str:
    """``text`` as RFC 2047 encoded words (UTF-8), separated by single spaces.

    Each word holds whole characters (never half of one) and is at most 75 characters long.
    The shorter of Q and B encoding is used for the whole value, as Python's own encoder does.
    """
    data = text.encode("utf-8")
    kind, encode = ("q", _q) if len(_q(data)) <= len(_b(data)) else ("b", _b)
    room = ENCODED_WORD_MAX - len(_PREFIX.format(kind)) - 2
    words: list[str] = []
    chunk = ""
    for ch in text:
        if chunk and len(encode((chunk + ch).encode("utf-8"))) > room:
            words.append(chunk)
            chunk = ""
        chunk += ch
    if chunk:
        words.append(chunk)
    return " ".join(f"{_PREFIX.format(kind)}{encode(w.encode('utf-8'))}?=" for w in words)


def _mixed(text: str, forbidden: str, quote: bool) -> str:
    """Plain words as they are (quoted when ``quote`` and not atoms), each run of other words
    as encoded words; spaces between them are kept by every reader."""
    if text != " ".join(text.split()):
        return encoded_words(text)  # odd spacing: only encoding keeps it exactly
    out: list[str] = []
    run: list[str] = []  # consecutive words that need encoding: encoded together
    for word in text.split(" "):
        if _plain(word, forbidden):
            if run:
                out.append(encoded_words(" ".join(run)))
                run = []
            atom = all(ch in _ATEXT for ch in word)
            out.append(f'"{word}"' if quote and not atom else word)
        else:
            run.append(word)
    if run:
        out.append(encoded_words(" ".join(run)))
    return " ".join(out)


def phrase(text: str) -> str:
    """A display name as an RFC 5322 phrase that decodes to exactly ``text``."""
    if not text:
        return ""
    if _plain(text, '"\\'):
        if all(ch in _ATEXT or ch == " " for ch in text):
            return text
        return f'"{text}"'  # punctuation such as "Jane D.": a quoted string, nothing to escape
    return _mixed(text, '"\\', quote=True)


def unstructured(text: str) -> str:
    """Text for an unstructured field (Subject) that decodes to exactly ``text``."""
    return text if _plain(text, "") else _mixed(text, "", quote=False)


def mailbox(display: str, addr_spec: str) -> str:
    """``Name <addr>``, or the bare address without a name. ``addr_spec`` must already be
    a checked ASCII address (``kiosk.domain.text_rules.check_email``)."""
    name = phrase(display)
    return f"{name} <{addr_spec}>" if name else addr_spec


def fold(name: str, value: str, max_len: int = 78, linesep: str = "\r\n", *,
         structured: bool = True) -> str:
    """``Name: value`` and the line end, folded before spaces so lines stay within ``max_len``.

    A fold only ever inserts a line break before an existing space, which is what unfolding
    removes: the reader gets ``value`` back exactly. An unstructured field (Subject) is never
    folded before its first word: a reader would keep that space as part of the text.
    """
    lines = [f"{name}:"]
    for token in value.split(" "):
        at_start = len(lines) == 1 and lines[0] == f"{name}:"
        if len(lines[-1]) + 1 + len(token) > max_len and (structured or not at_start):
            lines.append("")
        lines[-1] += " " + token
    return linesep.join(lines) + linesep


class WrittenHeader(str):
    """A header value written here: ``str()`` is the unfolded value as it goes on the wire.

    ``email.policy.EmailPolicy`` keeps a value that has a matching ``name`` as it is, and writes
    it by calling its ``fold(policy=...)``, so the email package never re-parses it.
    """

    name: str
    structured: bool

    def __new__(cls, name: str, value: str, *, structured: bool = True) -> WrittenHeader:
        if any(ch not in _PRINTABLE for ch in name + value):
            raise ValueError(f"{name}: a header value must be one line of printable ASCII")
        self = super().__new__(cls, value)
        self.name = name
        self.structured = structured
        return self

    def fold(self, *, policy: Any) -> str:
        return fold(self.name, str(self), policy.max_line_length or 998, policy.linesep,
                    structured=self.structured)
