"""The kiosk's own keyboard layouts (kiosk/ui/keyboard_layouts), on the real on-screen keyboard
under a real X server: the keys each field shows, French accents, and real taps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.ui.touch_keyboard import LAYOUT_DIR
from tests.support import PROBE_SCRIPTS, ROOT
from tests.support.campaigns import sample_text

DIGITS = list("1234567890")
FRENCH_ACCENTS = set("éèêëàâæçîïôœùûüÿ")
SIGN_FIELDS = ("first_name", "last_name", "city", "postal_code", "email")
# Qt's own keyboard says these whatever the layout (a binding on a widget's echoMode, a
# property in its PopupList): not ours to fix, and no sign of a broken layout.
QT_NOISE = ("depends on non-bindable properties", "overrides a member of the base object")
# Which keyboard each probe opens: campaign language, and the campaign's french_keyboard.
PROBES = {"en": ("en", "fr_CA"), "fr_CA": ("fr", "fr_CA"), "fr_FR": ("fr", "fr_FR")}
FRENCH = ["fr_CA", "fr_FR"]


@pytest.fixture(scope="module")
def probe(display, tmp_path_factory):
    """``probe(name)``: the probe's report for one keyboard, run once per module."""
    reports: dict[str, dict] = {}

    def run(name: str) -> dict:
        if name not in reports:
            lang, french = PROBES[name]
            work = tmp_path_factory.mktemp(f"layouts-{name}")
            campaign_file = work / "campaign.toml"
            campaign_file.write_text(sample_text().replace(
                "touchscreen = true", f'touchscreen = true\nfrench_keyboard = "{french}"'),
                encoding="utf-8")
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
            out = subprocess.run(
                [sys.executable, str(PROBE_SCRIPTS / "keyboard_layout_probe.py"),
                 str(campaign_file), str(work / "data"), lang],
                capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
            lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
            assert lines, f"probe failed:\n{out.stderr[-3000:]}"
            report = json.loads(lines[-1])
            # The probe waits for the keyboard itself (generous deadlines inside); this says
            # why it stopped early.
            assert "timed_out" not in report, f"the probe gave up waiting for {report['timed_out']}"
            assert "error" not in report, report["error"]
            reports[name] = report
        return reports[name]

    return run


def shown(view: dict) -> list[str]:
    """The labels a visitor sees on the keys, as drawn (capitals when the keyboard is)."""
    return [k["shown"] for k in view["keys"]]


def letter_keys(view: dict) -> list[dict]:
    return [k for k in view["keys"] if k["text"].isalpha() and len(k["text"]) == 1]


# --- every layout file ---------------------------------------------------------------------


def test_every_layout_file_compiles(qapp):
    """A typo in a layout does not stop the kiosk: Qt just shows an empty keyboard. So each
    file is compiled here, and the probes below catch what only shows when it runs."""
    from PySide6.QtCore import QUrl
    from PySide6.QtQml import QQmlComponent, QQmlEngine

    engine = QQmlEngine()
    files = sorted(LAYOUT_DIR.rglob("*.qml"))
    assert len(files) >= 5
    broken = {}
    for path in files:
        component = QQmlComponent(engine, QUrl.fromLocalFile(str(path)))
        if component.status() != QQmlComponent.Status.Ready:
            broken[str(path.relative_to(LAYOUT_DIR))] = [e.toString() for e in component.errors()]
    assert not broken


def test_every_language_has_letters_and_symbols():
    # Qt looks for <locale>/<type>.qml, or <locale>/<type>.fallback meaning fallback/<type>.qml;
    # a language without one of them would show Qt's built-in layout instead, or nothing.
    locales = [d for d in LAYOUT_DIR.iterdir() if d.is_dir() and d.name != "fallback"]
    assert {d.name for d in locales} >= {"en_CA", "fr_CA", "fr_FR"}
    for folder in locales:
        for kind in ("main", "symbols"):
            own, fallback = folder / f"{kind}.qml", folder / f"{kind}.fallback"
            assert own.is_file() or (fallback.is_file()
                                     and (LAYOUT_DIR / "fallback" / f"{kind}.qml").is_file()), \
                f"{folder.name} has no {kind} layout"


@pytest.mark.parametrize("name", PROBES)
def test_layouts_load_without_qml_warnings(probe, name):
    report = probe(name)
    problems = [m for m in report["qml_messages"] if not any(n in m for n in QT_NOISE)]
    assert not problems
    # And they are ours, not Qt's built-in layouts.
    for view_name, view in report["views"].items():
        assert view["source"].startswith(Path(LAYOUT_DIR).as_uri()), (view_name, view["source"])
    expected = "fallback" if name == "en" else name
    assert "/" + expected + "/main.qml" in report["views"]["letter"]["source"]
    assert report["views"]["symbols"]["source"].endswith("/fallback/symbols.qml")


# --- what each field shows -----------------------------------------------------------------


@pytest.mark.parametrize("name", PROBES)
def test_email_has_at_dot_and_digits_without_leaving_the_letters(probe, name):
    email = probe(name)["views"]["email"]
    keys = shown(email)
    for needed in ["@", ".", *DIGITS]:
        assert needed in keys, f"no {needed!r} key for an email address: {keys}"
    dash = next(k for k in email["keys"] if k["text"] == "-")
    assert "_" in dash["alternatives"]
    # An address is typed in lower case.
    assert all(k["shown"].islower() for k in letter_keys(email))


@pytest.mark.parametrize("name", PROBES)
def test_postal_code_has_digits_and_capitals(probe, name):
    postal = probe(name)["views"]["postal_code"]
    keys = shown(postal)
    assert all(d in keys for d in DIGITS), keys
    letters = letter_keys(postal)
    assert len(letters) >= 26
    assert all(k["shown"].isupper() for k in letters), [k["shown"] for k in letters]
    assert postal["uppercase"]


@pytest.mark.parametrize("name", PROBES)
def test_names_and_the_letter_have_no_digit_row(probe, name):
    views = probe(name)["views"]
    for field in ("letter", "first_name", "last_name", "city"):
        keys = shown(views[field])
        assert not any(d in keys for d in DIGITS), f"{field}: {keys}"
        assert "@" not in keys
        assert {",", ".", "'"} <= set(keys), f"{field}: {keys}"


@pytest.mark.parametrize("name", PROBES)
def test_symbols_page(probe, name):
    symbols = probe(name)["views"]["symbols"]
    keys = shown(symbols)
    wanted = [*DIGITS, *"@#$%&*-+()'\":;!?,./", "«", "»", "ABC"]
    assert [w for w in wanted if w not in keys] == []
    apostrophe = next(k for k in symbols["keys"] if k["text"] == "'")
    assert "\u2019" in apostrophe["alternatives"]  # the typographic apostrophe ’


@pytest.mark.parametrize("name", PROBES)
def test_keys_are_big_and_even(probe, name):
    """An extra row of digits makes the keys shorter (Qt fixes the keyboard's height): they
    must stay comfortable to touch at 1280×800."""
    for view_name, view in probe(name)["views"].items():
        heights = [k["rect"][3] for k in view["keys"]]
        assert min(heights) >= 48, (view_name, min(heights))
        widths = {round(k["rect"][2]) for k in letter_keys(view) + [
            k for k in view["keys"] if k["text"] in DIGITS]}
        assert max(widths) - min(widths) <= 1, (view_name, widths)


@pytest.mark.parametrize("name", FRENCH)
def test_french_accents(probe, name):
    views = probe(name)["views"]
    for field in ("letter", *SIGN_FIELDS):
        assert "é" in [k["text"] for k in views[field]["keys"]], f"{field}: no é key"
    letter = views["letter"]
    e = next(k for k in letter["keys"] if k["text"] == "e")
    assert set("éèêë") <= set(e["alternatives"])
    reachable = {k["text"] for k in letter["keys"]}
    for k in letter["keys"]:
        reachable.update(k["alternatives"])
    assert not FRENCH_ACCENTS - reachable, "accents out of reach"


# --- real taps -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROBES)
def test_tapping_keys_types_them(probe, name):
    taps = probe(name)["taps"]

    def typed(tap: str) -> str | None:
        return taps[tap].get("after")  # none if the key was not there to tap

    assert typed("email_at") == "@", taps["email_at"]
    # Capitals without Shift in a postal code; its digits from the row on top.
    assert typed("postal_letter") == "K", taps["postal_letter"]
    assert typed("postal_digit") == "K1", taps["postal_digit"]
    assert typed("name_first_letter") == "J", taps["name_first_letter"]
    assert typed("name_second_letter") == "Jo", taps["name_second_letter"]
    assert typed("email_first_letter") == "j", taps["email_first_letter"]
    if name in FRENCH:
        assert typed("letter_e_acute") == "Merci é", taps["letter_e_acute"]
        # Held down, "a" offers à â æ with à chosen: letting go types it.
        assert typed("letter_long_press") == "Merci éà", taps["letter_long_press"]
    else:
        assert typed("letter_long_press") == "Merci é", taps["letter_long_press"]
