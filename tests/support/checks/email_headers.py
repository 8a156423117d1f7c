"""Hostile visitor names, and the check that an email the kiosk wrote carries them harmlessly.

Standard library only, on purpose: ``tests/test_email_headers.py`` runs this file as a script
under every CPython >= 3.11 on the machine
(``python -I -S -B tests/support/checks/email_headers.py ROOT``),
because how ``email`` parses and refolds headers changes between patch releases (3.11.2, 3.11.7,
3.12.1 and 3.13.0 all differ). The same names and checks are used in-process against the real
SMTP server.

What "harmless" means, for every header the kiosk writes:

* the header block has exactly the expected headers, once each (no Bcc, nothing moved into the
  body), every line is a header or a folded continuation, 7-bit, CRLF only;
* a mail client decoding it (``email`` with ``policy.default``) gets the visitor's cleaned text
  back literally: ``=?utf-8?q?...?=`` typed at the kiosk is shown as typed, never decoded;
* the body is exactly the letter.
"""

from __future__ import annotations

import base64
import random
import re
import sys
from email import message_from_bytes, policy

# Encoded words of every charset and encoding form, with payloads that decode to header syntax.
_CRLF_BCC = "\r\nBcc:x@y.z\r\n\r\nHi"
_Q_PAYLOADS = ("=0D=0ABcc:x=40y.z=0D=0A=0D=0AHi", "pm=40pm.gc.ca", "evil=40example.com=3E",
               "a=22=3Cb=40c.d=3E")
_B_PAYLOADS = tuple(base64.b64encode(text.encode()).decode() for text in
                    (_CRLF_BCC, "evil@example.com>", "pm@pm.gc.ca", '"a" <b@c.d>'))
_CHARSETS = ("utf-8", "UTF-8", "us-ascii", "iso-8859-1", "q", "utf-8*fr", "unknown-8bit",
             "x-bogus", "")


def _encoded_words() -> list[str]:
    out = []
    for cs in _CHARSETS:
        out += [f"=?{cs}?{enc}?{p}?=" for enc in "qQ" for p in _Q_PAYLOADS]
        out += [f"=?{cs}?{enc}?{p}?=" for enc in "bB" for p in _B_PAYLOADS]
    return out


FIXED_NAMES = [
    # The three from the issue, exactly.
    "=?q?q?=0D=0ABcc:x=40y.z=0D=0A=0D=0AHi?=",
    "=?utf-8?q?pm=40pm.gc.ca?=",
    "=?utf-8?b?ZXZpbEBleGFtcGxlLmNvbT4=?=",
    *_encoded_words(),
    # Encoded words glued to text, twice in a row, in quotes or comments, half-open.
    "Jane=?utf-8?q?=0D=0A?=Doe", "=?utf-8?q?a?= =?utf-8?q?b?=", "=?utf-8?q?a?==?utf-8?q?b?=",
    '"=?utf-8?q?x=40y?="', "(=?utf-8?q?x=40y?=)", "=?", "?=", "=?=", "=?utf-8?", "?==?", "=?x?y",
    "Zo=?utf-8?q?=C3=AB?=", "=?utf-8?q?_?=", "=?utf-8?Q?Jane_D=2E?= T.",
    # Line breaks of every kind.
    "Eve\r\nBcc: victim@example.com", "Eve\nX-Injected: yes", "Eve\rSubject: spam",
    "Eve\x85Bcc: v@x.org", "Eve\u2028Bcc: v@x.org", "Eve\u2029To: v@x.org", "Eve\x0bA\x0cB",
    "Eve\r\n\r\nbody", "Eve\r\n Folded", "\r\n", "Eve\x00Nul", "Eve\tTab",
    # Quotes, backslashes and the characters of address syntax.
    '"', 'Jane "JD" Doe', "Jane\\", '\\"', "O'Brien", "<evil@example.com>",
    "Jane <evil@example.com>", "Doe, Jane", "a;b:c", "Group: a@b.c;", "(comment) Jane",
    "[brackets]", "Jane D.", "ceo@bank.example", "%0d%0aBcc:x", "Subject: hi", ":", ",", ";",
    # Long, wide, right-to-left, invisible, template syntax.
    "Z" * 500, "x " * 100, "Zoë Çelik-Œuvrard", "André", "😀👩‍👩‍👧‍👦🏳️‍🌈", "𝔍𝔞𝔫𝔢",
    "\u202eevil\u202c", "\u200fJane\u200e", "جين دو", "ג'יין", "e\u0301", "\ufeffBOM",
    "\ud800lone", "\ue000private", "\u0378unassigned", "  spaced   out  ", "{{ 7*7 }}",
    "{% raw %}x{% endraw %}", "<script>alert(1)</script>", "via", "Jane via Evil",
]

_FRAGMENTS = [*FIXED_NAMES[:6], "=?", "?=", "?", "=", "\r\n", "\n", "\x85", "\u2028", '"',
              "\\", "<", ">", "@", ",", ";", ":", "(", ")", "é", "😀", "\u202e", "Jane", "Bcc:",
              " ", "{{", "}}", "_", "=20", "=0D=0A"]


def hostile_names(extra: int = 120, seed: int = 20240610) -> list[str]:
    """The fixed names, then ``extra`` random mixtures of their fragments (same list every run)."""
    rng = random.Random(seed)
    mixed = ["".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 6)))
             for _ in range(extra)]
    return FIXED_NAMES + mixed


SENDER = "letters@example.org"
SENDER_NAME = "Write for Safe Haven"
RECIPIENT = "pm@pm.gc.ca"
VISITOR = "zoe@example.com"
_PLAIN = re.compile(r"^[\x21\x23-\x3b\x3d\x3f\x41-\x5b\x5d-\x7e ]*$")  # printable, no <>@"\


def literal(name: str, limit: int = 40) -> str | None:
    """What a mail client must show for ``name`` when the kiosk keeps it as typed, or None when
    the kiosk rightly changes it (line breaks, ``<>@"\\``, too long)."""
    if not _PLAIN.match(name) or len(name.strip()) > limit:
        return None
    return " ".join(name.split())


def check_email_bytes(
    raw: bytes,
    *,
    from_name: str,
    visitor_name: str | None,
    subject: str,
    message_id: str,
    body: str,
    sender: str = SENDER,
    recipient: str = RECIPIENT,
    visitor: str | None = VISITOR,
    copy: bool = True,
) -> list[str]:
    """Everything wrong with ``raw`` (the email as it arrived), or [] when it is as intended.

    ``body`` is the text a reader must get, including the copy note when the email has a Cc.
    """
    problems: list[str] = []
    if b"\r\n\r\n" not in raw:
        return ["no blank line between headers and body"]
    head, _, _ = raw.partition(b"\r\n\r\n")
    if not raw.isascii():
        problems.append("8-bit bytes on the wire")
    names: list[str] = []
    for line in head.split(b"\r\n"):
        if b"\r" in line or b"\n" in line:
            problems.append(f"bare CR or LF in {line!r}")
        m = re.match(rb"^([A-Za-z-]+):( |$)", line)
        if m:
            names.append(m.group(1).decode().lower())
        elif line[:1] not in (b" ", b"\t"):
            problems.append(f"not a header line: {line!r}")
    expected = {"from", "to", "subject", "date", "message-id", "content-language", "mime-version",
                "content-type", "content-transfer-encoding"}
    if visitor:
        expected.add("reply-to")
        if copy:
            expected.add("cc")
    for name in sorted(expected | set(names)):
        n = names.count(name)
        if n != (1 if name in expected else 0):
            problems.append(f"{name} header {n} times")

    try:
        return problems + _decoded_problems(
            message_from_bytes(raw, policy=policy.default), from_name=from_name,
            visitor_name=visitor_name, subject=subject, message_id=message_id, body=body,
            sender=sender, recipient=recipient, visitor=visitor, copy=copy)
    except Exception as e:  # a mail client's parser would choke on it too
        return [*problems, f"parsing it fails: {e.__class__.__name__}: {e}"]


def _decoded_problems(msg, *, from_name, visitor_name, subject, message_id, body, sender,
                      recipient, visitor, copy) -> list[str]:
    problems: list[str] = []

    def one(header: str) -> tuple[str, str] | None:
        h = msg[header]
        if h is None:
            return None
        addrs = h.addresses
        if len(addrs) != 1:
            problems.append(f"{header}: {len(addrs)} addresses in {str(h)!r}")
            return None
        return addrs[0].display_name, addrs[0].addr_spec

    if (got := one("From")) != (from_name, sender):
        problems.append(f"From decodes to {got!r}, expected {(from_name, sender)!r}")
    if (got := one("To")) != ("", recipient):
        problems.append(f"To decodes to {got!r}")
    for header, wanted in (("Reply-To", True), ("Cc", copy)):
        if visitor and wanted and (got := one(header)) != (visitor_name, visitor):
            problems.append(f"{header} decodes to {got!r}, expected {(visitor_name, visitor)!r}")
    if str(msg["Subject"]) != subject:
        problems.append(f"Subject decodes to {str(msg['Subject'])!r}, expected {subject!r}")
    if str(msg["Message-ID"]).strip() != message_id:
        problems.append(f"Message-ID is {str(msg['Message-ID'])!r}")
    # Line ends as a mailbox stores them (CRLF on the wire, LF on disk), on both sides.
    if _lines(msg.get_content().rstrip()) != _lines(body.rstrip()):
        problems.append("the body is not the letter")
    return problems


def _main(root: str) -> int:
    """Build an email for every hostile name with the kiosk's own code, and check each."""
    sys.path.insert(0, root)
    from types import SimpleNamespace

    from kiosk.delivery import message as m
    from kiosk.store.outbox import OutboxItem

    settings = SimpleNamespace(sender_address=SENDER, sender_name=SENDER_NAME)
    letter = "Dear PM,\n\nPlease act.\n\nSincerely,\nZ"
    # So that the same check can be pointed at an older kiosk (which failed it): what it lacked.
    visitor_name = getattr(m, "visitor_display_name", lambda n: m.display_name(n, m.NAME_MAX))
    note = f"{m.copy_note(SENDER_NAME, 'en')}\n\n" if hasattr(m, "copy_note") else ""
    failures = 0
    names = hostile_names()
    for i, name in enumerate(names):
        for subject in ("Protect them", name):
            item = OutboxItem(
                id=i, letter_id=i, message_id=f"<{i}.check@example.org>", to_addr=RECIPIENT,
                subject=subject, state="sending", attempts=1, next_attempt_at="",
                created_at="2024-06-10T14:00:00.000+00:00", sent_at=None, last_code=None,
                last_error=None, maybe_delivered=False, note=None, language="en",
                full_text=letter, short_name=name, visitor_email=VISITOR, send_copy=True,
                recipient_id="pm")
            try:
                raw = m.message_bytes(m.build_message(item, settings)[0])
            except Exception as e:  # the kiosk would fail this email: a failure here too
                failures += 1
                print(f"{name!r}:\n    {e.__class__.__name__}: {e}")
                continue
            problems = check_email_bytes(
                raw, from_name=m.from_display_name(name, SENDER_NAME, "en"),
                visitor_name=visitor_name(name), subject=m.header_text(subject, m.SUBJECT_MAX),
                message_id=item.message_id, body=f"{note}{letter}")
            try:
                problems += literal_problems(raw, name, subject == name)
            except Exception as e:
                problems.append(f"parsing it fails: {e.__class__.__name__}: {e}")
            if problems:
                failures += 1
                print(f"{name!r}:", *problems, sep="\n    ")
    print(f"Python {sys.version.split()[0]}: {len(names)} names, {failures} failed")
    return 1 if failures else 0


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def literal_problems(raw: bytes, name: str, in_subject: bool) -> list[str]:
    """A name the kiosk keeps as typed must be shown as typed: in From, Reply-To, Subject."""
    shown = literal(name)
    if shown is None:
        return []
    msg = message_from_bytes(raw, policy=policy.default)
    problems = []
    wanted = f"{shown} via {SENDER_NAME}" if shown else SENDER_NAME
    if msg["From"].addresses[0].display_name != wanted:
        problems.append(f"From shows {msg['From'].addresses[0].display_name!r}, not {wanted!r}")
    if msg["Reply-To"] is not None and msg["Reply-To"].addresses[0].display_name != shown:
        problems.append(f"Reply-To shows {msg['Reply-To'].addresses[0].display_name!r}")
    if in_subject and str(msg["Subject"]) != shown:
        problems.append(f"Subject shows {str(msg['Subject'])!r}, not {shown!r}")
    return problems


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
