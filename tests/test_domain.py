"""The visitor journey, letters and text rules, in plain Python: no QApplication, no Qt import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kiosk.config import SessionSettings
from kiosk.domain.journey import Delivery, Journey, Problem, Step, VisitorSession
from kiosk.domain.letter import SignMode
from kiosk.domain.text_rules import (
    NAME_MAX,
    body_length,
    check_email,
    clean_line,
    clean_text,
)
from kiosk.i18n import tr

ROOT = Path(__file__).resolve().parent.parent
BODY = "Please protect the men fleeing Chechnya. They need a safe way out."
QT_PACKAGES = {"PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2"}


def journey_at(campaign, step: Step, **fields) -> Journey:
    """A journey walked honestly up to ``step`` by a visitor who fills every step in."""
    j = Journey(campaign)
    if step is Step.ATTRACT:
        return j
    j.start()
    plan = [
        (Step.RECIPIENTS, lambda: j.toggle_recipient("pm")),
        (Step.WRITE, lambda: j.update(body=BODY)),
        (Step.SIGN, lambda: j.update(first_name="Jane", last_name="Doe")),
        (Step.REVIEW, lambda: None),
    ]
    for at, fill in plan:
        if j.step is step:
            break
        assert j.step is at
        fill()
        assert j.next(), j.problems()
    j.update(**fields)
    assert j.step is step
    return j


# --- Qt stays out of the core ----------------------------------------------------------------


def test_core_modules_import_without_qt():
    """In a fresh interpreter: the test session itself may hold Qt for the UI tests."""
    code = """
import json, sys
import kiosk.domain, kiosk.domain.journey, kiosk.domain.letter, kiosk.domain.text_rules
import kiosk.compose, kiosk.config, kiosk.store, kiosk.app.letters, kiosk.xvfb
from kiosk.config import load_campaign
from kiosk.paths import SAMPLE_CAMPAIGN
from kiosk.domain.journey import Journey
j = Journey(load_campaign(SAMPLE_CAMPAIGN))
j.start(); j.toggle_recipient("pm"); j.update(body="x" * 40)
j.letters()[0].text()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[1:])))
"""
    done = subprocess.run(
        [sys.executable, "-c", code, *QT_PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def _qt_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        where = path.relative_to(ROOT) if ROOT in path.parents else path
        found += [f"{where}:{node.lineno} {n}" for n in names if n.split(".")[0] in QT_PACKAGES]
    return found


def test_only_kiosk_ui_imports_qt():
    sources = [
        p for p in (ROOT / "kiosk").rglob("*.py") if (ROOT / "kiosk" / "ui") not in p.parents
    ]
    assert len(sources) >= 10  # the scan really looked
    offenders = [hit for p in sources for hit in _qt_imports(p)]
    assert offenders == [], "Qt belongs in kiosk/ui only"


def test_the_scan_would_catch_a_qt_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import importlib\nfrom PySide6.QtCore import QTimer\nimportlib.import_module('PySide6')\n",
        encoding="utf-8",
    )
    assert len(_qt_imports(probe)) == 2


# --- steps forwards and back -----------------------------------------------------------------


def test_journey_walks_forward_through_numbered_steps(campaign):
    j = Journey(campaign)
    seen: list[Step] = []
    j.subscribe(lambda journey: seen.append(journey.step))
    assert j.step is Step.ATTRACT and j.step_number() is None
    j.start()
    assert j.step is Step.RECIPIENTS and j.step_number() == 1
    j.toggle_recipient("pm")
    assert j.next() and j.step is Step.WRITE and j.step_number() == 2
    j.update(body=BODY)
    assert j.next() and j.step is Step.SIGN and j.step_number() == 3
    j.update(first_name="Jane", last_name="Doe")
    assert j.next() and j.step is Step.REVIEW and j.step_number() == 4
    assert j.next() and j.step is Step.DELIVER and j.step_number() == 5
    assert not j.next()  # delivering takes confirm(), not next()
    assert seen == [Step.RECIPIENTS, Step.WRITE, Step.SIGN, Step.REVIEW, Step.DELIVER]


def test_back_keeps_what_was_typed_until_the_attract_screen(campaign):
    j = journey_at(campaign, Step.DELIVER)
    session = j.session
    for expected in (Step.REVIEW, Step.SIGN, Step.WRITE, Step.RECIPIENTS):
        j.back()
        assert j.step is expected
        assert j.session is session and j.session.body == BODY
    j.back()  # from step 1 back to the attract screen: nothing of the visitor survives
    assert j.step is Step.ATTRACT
    assert j.session is not session and j.session.body == "" and j.session.recipient_ids == []


def test_start_only_from_attract(campaign):
    j = journey_at(campaign, Step.WRITE)
    j.start()
    assert j.step is Step.WRITE


# --- what stops a visitor going on -----------------------------------------------------------


def test_no_recipient(campaign):
    j = journey_at(campaign, Step.RECIPIENTS)
    assert j.problems() == [Problem.NO_RECIPIENT]
    assert not j.next() and j.step is Step.RECIPIENTS
    j.toggle_recipient("un-ohchr")
    assert j.problems() == []


def test_toggling_twice_removes_and_unknown_ids_change_nothing(campaign):
    j = journey_at(campaign, Step.RECIPIENTS)
    j.toggle_recipient("ircc")
    j.toggle_recipient("ircc")
    assert j.session.recipient_ids == []
    with pytest.raises(KeyError):
        j.toggle_recipient("no-such-office")
    assert j.session.recipient_ids == []


def test_body_bounds_come_from_the_campaign(campaign):
    strict = campaign.model_copy(
        update={"session": SessionSettings(body_min_chars=10, body_max_chars=100)}
    )
    j = journey_at(strict, Step.WRITE, body="")
    for body, problems in [
        ("", [Problem.BODY_TOO_SHORT]),
        ("x" * 9, [Problem.BODY_TOO_SHORT]),
        ("  \n x" * 3 + "\n\n\n   ", [Problem.BODY_TOO_SHORT]),  # spaces do not count
        ("x" * 10, []),
        ("x" * 100, []),
        ("x" * 101, [Problem.BODY_TOO_LONG]),
    ]:
        j.update(body=body)
        assert j.problems() == problems, body
    assert not j.next() and j.step is Step.WRITE


def test_sample_bounds(campaign):
    rules = campaign.session
    j = journey_at(campaign, Step.WRITE)
    j.update(body="x" * (rules.body_min_chars - 1))
    assert j.problems() == [Problem.BODY_TOO_SHORT]
    j.update(body="x" * rules.body_max_chars)
    assert j.problems() == []
    j.update(body="x" * (rules.body_max_chars + 1))
    assert j.problems() == [Problem.BODY_TOO_LONG]


@pytest.mark.parametrize(
    ("mode", "first", "last", "problems"),
    [
        (SignMode.FULL, "", "", [Problem.NAME_MISSING, Problem.LAST_NAME_MISSING]),
        (SignMode.FULL, "Jane", "  ", [Problem.LAST_NAME_MISSING]),
        (SignMode.FULL, "Jane", "Doe", []),
        (SignMode.FIRST, " \t", "", [Problem.NAME_MISSING]),
        (SignMode.FIRST, "Jane", "", []),
        (SignMode.ANONYMOUS, "", "", []),
    ],
)
def test_names_needed_by_sign_mode(campaign, mode, first, last, problems):
    j = journey_at(campaign, Step.SIGN, first_name=first, last_name=last, sign_mode=mode)
    assert j.problems() == problems
    assert j.next() is (problems == [])


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("", True),
        ("   ", True),
        ("jane@example.com", True),
        (" Jane@Example.com ", True),
        ("jane", False),
        ("jane@", False),
        ("jane@example", False),
        ("jane doe@example.com", False),
        ("jane@example.com\r\nBcc: everyone@example.com", False),
    ],
)
def test_email_is_optional_but_must_be_valid(campaign, email, ok):
    j = journey_at(campaign, Step.SIGN, first_name="Jane", last_name="Doe", email=email)
    assert j.problems() == ([] if ok else [Problem.EMAIL_INVALID])


# --- signing ----------------------------------------------------------------------------------


def test_full_signature_and_short_name(campaign):
    j = journey_at(campaign, Step.REVIEW, city=" Winnipeg ", postal_code="r3c 4t3")
    (letter,) = j.letters()
    assert letter.signature_lines == ["Jane Doe", "Winnipeg, R3C 4T3"]
    assert letter.signer.short_name("en") == "Jane D."
    assert letter.text().endswith("Sincerely,\nJane Doe\nWinnipeg, R3C 4T3")


def test_first_name_only_drops_the_last_name(campaign):
    j = journey_at(campaign, Step.REVIEW, sign_mode=SignMode.FIRST)
    signer = j.session.signer()
    assert signer.last_name == ""
    assert signer.display_name("en") == "Jane" and signer.short_name("en") == "Jane"
    assert "Doe" not in j.letters()[0].text()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_anonymous_keeps_no_name(campaign, lang):
    j = journey_at(campaign, Step.REVIEW, sign_mode=SignMode.ANONYMOUS)
    j.set_language(lang)
    signer = j.session.signer()
    assert (signer.first_name, signer.last_name) == ("", "")
    assert signer.display_name(lang) == tr("letter.anonymous_signature", lang)
    assert signer.short_name(lang) == tr("letter.anonymous_short", lang)
    text = j.letters()[0].text()
    assert "Jane" not in text and "Doe" not in text


def test_sign_mode_given_as_plain_text_is_still_honoured(campaign):
    """A page may pass the mode as a string; an "anonymous" letter must never carry a name."""
    j = journey_at(campaign, Step.REVIEW, sign_mode="anonymous")
    assert j.session.sign_mode is SignMode.ANONYMOUS
    assert "Jane" not in j.letters()[0].text()
    j.session.sign_mode = "anonymous"  # even when set directly
    assert "Jane" not in j.letters()[0].text()
    with pytest.raises(ValueError):
        j.update(sign_mode="secret")


@pytest.mark.parametrize(
    ("email", "opt_in"),
    [("", False), ("not an address", False), ("jane@example.com", True)],
)
def test_opt_in_needs_an_email(campaign, email, opt_in):
    j = journey_at(campaign, Step.SIGN, email=email, opt_in=True, send_copy=True)
    signer = j.session.signer()
    assert signer.opt_in is opt_in and signer.send_copy is opt_in
    assert signer.email == ("jane@example.com" if opt_in else "")


def test_opt_in_is_never_on_by_default():
    assert VisitorSession(language="en").opt_in is False


# --- wiping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("event", ["start_over", "idle_timeout", "fail", "finish"])
def test_wipe_gives_a_fresh_session(campaign, event):
    j = journey_at(campaign, Step.SIGN, email="jane@example.com", opt_in=True, city="Winnipeg")
    j.set_language("fr")
    old = j.session
    getattr(j, event)()
    assert j.step is Step.ATTRACT
    assert j.session is not old and j.session.id != old.id
    assert j.session == VisitorSession(language=campaign.campaign.default_language, id=j.session.id)
    assert j.last_commit is None
    # The old object is not reused: nothing typed by the last visitor can leak into the next.
    assert old.body == BODY


def test_wipe_after_a_confirmed_letter(campaign):
    kept = []
    j = Journey(campaign, commit=lambda s, letters, d: kept.append((s.id, letters, d)) or "ok")
    j.start()
    j.toggle_recipient("un-ohchr")
    j.toggle_recipient("pm")
    j.next()
    j.update(body=BODY)
    j.next()
    j.update(sign_mode=SignMode.ANONYMOUS)
    j.next()
    j.next()
    first_id = j.session.id
    assert j.confirm(Delivery(print=True, email=False)) == "ok"
    assert j.step is Step.THANKS and j.last_commit == "ok"
    (sid, letters, delivery) = kept[0]
    assert sid == first_id and delivery == Delivery(print=True, email=False)
    assert [x.recipient_id for x in letters] == ["pm", "un-ohchr"]  # the campaign's order
    assert [x.postage_free for x in letters] == [True, False]
    j.finish()
    assert j.step is Step.ATTRACT and j.session.id != first_id and j.last_commit is None


def test_confirm_rules(campaign):
    j = journey_at(campaign, Step.REVIEW)
    with pytest.raises(RuntimeError):
        j.confirm(Delivery(print=True, email=True))
    j.next()
    with pytest.raises(ValueError):
        j.confirm(Delivery(print=False, email=False))
    assert j.step is Step.DELIVER


def test_a_failed_save_keeps_the_visitor_and_their_letter(campaign):
    def broken(*_):
        raise OSError("disk full")

    j = Journey(campaign, commit=broken)
    j.start()
    j.toggle_recipient("pm")
    j.next()
    j.update(body=BODY)
    j.next()
    j.update(first_name="Jane", last_name="Doe")
    j.next()
    j.next()
    with pytest.raises(OSError):
        j.confirm(Delivery(print=True, email=True))
    assert j.step is Step.DELIVER and j.session.body == BODY


# --- languages --------------------------------------------------------------------------------


def test_language_switch_keeps_what_was_typed(campaign):
    j = journey_at(campaign, Step.REVIEW, body="Mon texte à moi, « tel quel ».")
    session = j.session
    j.set_language("fr")
    assert j.session is session and j.step is Step.REVIEW
    assert (session.body, session.first_name, session.last_name) == (
        "Mon texte à moi, « tel quel ».",
        "Jane",
        "Doe",
    )
    (letter,) = j.letters()
    assert letter.language == "fr"
    assert letter.salutation == campaign.recipient("pm").salutation.fr
    assert letter.closing == campaign.letter.closing.fr
    assert letter.address_lines == tuple(campaign.recipient("pm").address.fr)
    assert "Mon texte à moi, « tel quel »." in letter.text()
    with pytest.raises(ValueError):
        j.set_language("de")
    assert j.language == "fr"


def test_default_language_is_for_new_sessions(campaign):
    j = Journey(campaign)
    j.set_default_language("fr")
    assert j.language == "fr"
    j.start()
    j.set_language("en")
    j.start_over()
    assert j.language == "fr"
    with pytest.raises(ValueError):
        j.set_default_language("de")


def test_update_refuses_unknown_and_protected_fields(campaign):
    j = Journey(campaign)
    for bad in ({"bdy": "x"}, {"id": "mine"}, {"language": "fr"}):
        with pytest.raises(AttributeError):
            j.update(**bad)


# --- visitor text is data ---------------------------------------------------------------------


def test_template_syntax_typed_by_a_visitor_stays_literal(campaign):
    from kiosk.compose import email_subject

    typed = "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} {{ campaign.title }} {# hi #}"
    j = journey_at(campaign, Step.REVIEW, body=typed, first_name="{{ 7*7 }}", city="{% raw %}")
    text = j.letters()[0].text()
    assert typed in text
    assert "{{ 7*7 }} Doe" in text and "{% raw %}" in text
    assert "49" not in text and "looploop" not in text
    assert "{{" not in email_subject(campaign, "pm", "en")


def test_starting_text_is_only_a_starting_point(campaign):
    from kiosk.compose import starting_text

    j = journey_at(campaign, Step.WRITE)
    for t in campaign.starting_texts:
        j.update(starting_text_id=t.id, body=starting_text(campaign, t.id, j.language))
        assert j.problems() == []
    edited = j.session.body + "\n\nAnd in my own words: {{ 7*7 }}."
    j.update(body=edited)
    assert j.next()
    assert j.letters()[0].body == edited


def test_very_long_text(campaign):
    j = journey_at(campaign, Step.WRITE, body="word " * 50_000)
    assert j.problems() == [Problem.BODY_TOO_LONG]
    assert not j.next()
    j.update(body=BODY, first_name="J" * 10_000)
    assert j.session.signer().first_name == "J" * NAME_MAX


def test_emoji_survive_whole(campaign):
    emoji = "🏳️‍🌈 ✊🏽 👨‍👨‍👧 🇨🇦 1️⃣"
    j = journey_at(campaign, Step.REVIEW, body=f"{BODY} {emoji}", first_name="Zoë 🌈")
    text = j.letters()[0].text()
    assert emoji in text and "Zoë 🌈 Doe" in text
    assert body_length("🇨🇦") == 2  # code points, not glyphs: a flag is two


def test_control_characters_are_removed(campaign):
    typed = "Pro\x00tect\x07 them\x1b[31m now\u202e\u200b.\x7f"
    j = journey_at(campaign, Step.REVIEW, body=f"{BODY} {typed}")
    body = j.letters()[0].body
    assert body.endswith("Protect them[31m now.")
    assert all(unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\n" for ch in body)


def test_cr_lf_and_blank_lines_are_tidied():
    assert clean_text("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"
    assert clean_text("para one   \n\n\n\n\npara two\u2029three") == "para one\n\npara two\n\nthree"
    assert clean_text("\n\n  text\t!  \n\n") == "text    !"
    assert clean_text("e\u0301te\u0301") == "été"  # NFC: what is stored equals what is typed


def test_one_line_fields_cannot_break_a_header_or_a_line(campaign):
    assert clean_line("Jane\r\nBcc: everyone@example.com", NAME_MAX) == (
        "Jane Bcc: everyone@example.com"
    )
    j = journey_at(campaign, Step.REVIEW, first_name="Ja\nne", last_name="\r\nDoe\x00")
    signer = j.session.signer()
    assert signer.display_name("en") == "Ja ne Doe"
    assert "\n" not in signer.short_name("en") and "\r" not in signer.short_name("en")


def test_check_email_normalises():
    assert check_email("  jane@EXAMPLE.com ") == "jane@example.com"
    assert check_email("a" * 250 + "@example.com") is None


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("r3c4t3", "R3C 4T3"),  # accepted without the space
        ("R3C 4T3", "R3C 4T3"),
        ("r3c-4t3", "R3C 4T3"),
        ("  r3c  4t3 ", "R3C 4T3"),
        ("55401", "55401"),  # a US ZIP or a French code stays as typed
        ("sw1a 1aa", "SW1A 1AA"),
        ("r3c4t3a", "R3C4T3A"),  # not a Canadian code: not reshaped
    ],
)
def test_postal_code_is_laid_out_like_canada_posts(campaign, typed, kept):
    j = journey_at(campaign, Step.REVIEW, postal_code=typed)
    assert j.session.signer().postal_code == kept


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("r", "R"), ("r3c", "R3C"), ("r3c4", "R3C 4"), ("R3C 4", "R3C 4"), ("r3c 4t", "R3C 4T")],
)
def test_postal_code_is_laid_out_while_it_is_typed(typed, shown):
    from kiosk.domain.text_rules import format_postal_code

    assert format_postal_code(typed) == shown
