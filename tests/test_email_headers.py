"""Visitor names cannot forge an email: every header the kiosk writes, as it arrives at a real
SMTP server, on every Python the project claims to support (issue 10, point 2)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from kiosk.delivery.message import copy_note, from_display_name, header_text, visitor_display_name
from kiosk.delivery.outbox import OutboxService
from kiosk.domain.letter import Signer, SignMode, make_letter
from kiosk.store import outbox as q
from tests.support import ROOT
from tests.support.checks.email_headers import (
    FIXED_NAMES,
    SENDER_NAME,
    check_email_bytes,
    hostile_names,
    literal,
    literal_problems,
)
from tests.support.letters import queue_letters, states

CHECK = ROOT / "tests" / "support" / "checks" / "email_headers.py"


def _keep_raw(store, campaign, name: str, n: int) -> int:
    """A letter signed ``name`` exactly as given, bypassing the Sign step's cleaning: the email
    builder must be safe on its own. Returns the outbox id."""
    signer = Signer(mode=SignMode.FIRST, first_name=name, email="zoe@example.com",
                    send_copy=True)
    letter = make_letter(campaign, "pm", "en", "A body long enough to be a letter.", signer)
    kept = store.keep(session_id=f"s{n}", campaign_id="c", letters=[letter], by_print=False,
                      by_email=True, emails=[{"to_addr": "pm@pm.gc.ca", "subject": name,
                                              "message_id": f"<{n}.hostile@example.org>"}])
    return kept[0].outbox_id


def _message_id(raw: bytes) -> str:
    return message_from_bytes(raw, policy=policy.default)["Message-ID"].strip()


def _expected(item: q.OutboxItem) -> dict:
    return dict(
        from_name=from_display_name(item.short_name, SENDER_NAME, item.language),
        visitor_name=visitor_display_name(item.short_name),
        subject=header_text(item.subject, 200), message_id=item.message_id,
        body=f"{copy_note(SENDER_NAME, item.language)}\n\n{item.full_text}")


def test_hostile_names_arrive_as_plain_text_at_a_real_smtp_server(
    mail_campaign, store, smtp_server, data_dir
):
    # A lone surrogate cannot even be stored (the Sign step drops it): the builder never sees it.
    names = [n for n in hostile_names(extra=150) if "\ud800" not in n]
    ids = [_keep_raw(store, mail_campaign, name, n) for n, name in enumerate(names)]
    result = OutboxService(mail_campaign, store).drain()
    assert result.sent == len(ids), result

    items = {q.get(store, i).message_id: q.get(store, i) for i in ids}
    received = smtp_server.wait_for_messages(len(ids))
    failures = {}
    for r in received:
        item = items[_message_id(r.data)]
        # Exactly the recipient and the visitor's copy in the envelope: nothing smuggled in.
        assert r.rcpt_tos == ["pm@pm.gc.ca", "zoe@example.com"], r.rcpt_tos
        problems = check_email_bytes(r.data, **_expected(item))
        problems += literal_problems(r.data, item.short_name, in_subject=True)
        if problems:
            failures[item.short_name] = problems
    assert not failures, failures
    assert set(states(store).values()) == {"sent"}


@pytest.mark.parametrize("name", FIXED_NAMES[:3])
def test_the_names_from_the_issue_are_shown_as_typed(
    mail_campaign, store, smtp_server, data_dir, name
):
    oid = _keep_raw(store, mail_campaign, name, 1)
    OutboxService(mail_campaign, store).drain()
    [got] = smtp_server.wait_for_messages(1)
    head = got.data.partition(b"\r\n\r\n")[0]
    assert not re.search(rb"(?im)^bcc", got.data)
    assert b"@y.z" not in head and b"evil@" not in head and b"pm@pm.gc.ca" not in head.replace(
        b"To: pm@pm.gc.ca", b"")
    msg = message_from_bytes(got.data, policy=policy.default)
    assert msg["From"].addresses[0].display_name == f"{name} via {SENDER_NAME}"
    assert msg["From"].addresses[0].addr_spec == "letters@example.org"
    assert msg["Reply-To"].addresses[0].display_name == name
    assert msg["Cc"].addresses[0].display_name == name
    assert str(msg["Subject"]) == name  # a subject carrying the same text stays literal too
    assert msg.get_content().replace("\r\n", "\n").endswith(q.get(store, oid).full_text + "\n")


@pytest.mark.parametrize("first", ["=?utf-8?q?pm=40pm.gc.ca?=", "Jane\r\nBcc: v@x.org",
                                   "=?utf-8?b?ZXZpbEBleGFtcGxlLmNvbT4=?=", "Zoë 😀 ‮evil"])
def test_names_typed_on_the_sign_step_arrive_as_cleaned(
    mail_campaign, store, smtp_server, data_dir, first
):
    """The whole real path: the journey's cleaning, keeping, the worker, the server."""
    [oid] = queue_letters(store, mail_campaign, lang="en", first_name=first, last_name="Tremblay",
                          send_copy=True)
    OutboxService(mail_campaign, store).drain()
    [got] = smtp_server.wait_for_messages(1)
    item = q.get(store, oid)
    assert not check_email_bytes(got.data, **_expected(item))
    assert literal_problems(got.data, item.short_name, in_subject=False) == []
    if literal(first):
        shown = message_from_bytes(got.data, policy=policy.default)["From"].addresses[0]
        assert shown.display_name == f"{first} T. via {SENDER_NAME}"


# --- every Python ------------------------------------------------------------------------------


def _interpreters() -> dict[str, str]:
    """Every CPython >= 3.11 found on this machine: version -> executable (one per version)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", "~/.pyenv")).expanduser() / "versions"
    candidates = [sys.executable, *sorted(glob.glob(str(pyenv / "*" / "bin" / "python3")))]
    for folder in ("/usr/bin", "/usr/local/bin"):
        candidates += sorted(glob.glob(f"{folder}/python3.1[0-9]"))
    candidates += [p for v in range(11, 20) if (p := shutil.which(f"python3.{v}"))]
    found: dict[str, str] = {}
    for exe in candidates:
        try:
            out = subprocess.run(
                [exe, "-I", "-S", "-c", "import sys; print(sys.implementation.name, "
                 "'.'.join(map(str, sys.version_info[:3])), sys.version_info >= (3, 11))"],
                capture_output=True, text=True, timeout=30, check=True).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        if out[:1] == ["cpython"] and out[2] == "True":
            found.setdefault(out[1], exe)
    return found


INTERPRETERS = _interpreters()


def test_the_current_interpreter_is_among_those_checked():
    assert ".".join(map(str, sys.version_info[:3])) in INTERPRETERS


@pytest.mark.parametrize("version", sorted(INTERPRETERS))
def test_hostile_names_on_every_python(version):
    """The message builder and a reader's parser, under this interpreter's own ``email``
    package, with nothing but the standard library (-I -S: no site-packages, no venv)."""
    result = subprocess.run(
        [INTERPRETERS[version], "-I", "-S", "-B", str(CHECK), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert f"Python {version}: " in result.stdout and " 0 failed" in result.stdout
