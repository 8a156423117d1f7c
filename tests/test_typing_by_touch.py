"""Writing by touch with the real on-screen keyboard, under a real X server, on the three screen
shapes kiosks have: the letter keeps the room above the keyboard, the caret stays in view, the
aids are one tap away, and a real keyboard is not covered by the on-screen one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.xvfb import xvfb
from tests.support import PROBE_SCRIPTS, ROOT


def _walk(shape: str, lang: str, campaign_file: Path, data_dir: Path) -> dict[str, dict]:
    with xvfb(f"{shape}x24") as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        out = subprocess.run(
            [sys.executable, str(PROBE_SCRIPTS / "typing_probe.py"), str(campaign_file),
             str(data_dir), lang],
            capture_output=True, text=True, timeout=900, env=env, cwd=ROOT)
    stages = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            stages[report["stage"]] = report
    assert "timed_out" not in stages, f"the probe gave up: {stages.get('timed_out')}"
    assert "next_visitor" in stages, f"probe failed:\n{out.stderr[-3000:]}"
    return stages


def _bottom(rect: list[int]) -> int:
    return rect[1] + rect[3]


@pytest.fixture(scope="module", params=[("1280x800", "en"), ("1920x1080", "fr"),
                                        ("1080x1920", "fr")], ids=lambda p: f"{p[0]}-{p[1]}")
def walk(request, tmp_path_factory):
    from kiosk.paths import SAMPLE_CAMPAIGN

    shape, lang = request.param
    return _walk(shape, lang, Path(SAMPLE_CAMPAIGN), tmp_path_factory.mktemp("data"))


def _above_keyboard(view: dict, rect: list[int], what: str) -> None:
    keyboard_top = view["keyboard"][1]
    assert _bottom(rect) <= keyboard_top, f"{what} {rect} under the keyboard {view['keyboard']}"


def test_keyboard_opens_by_itself_on_the_letter(walk):
    opened = walk["opened"]
    assert opened["focus_is_editor"]
    assert opened["keyboard"][3] > 0
    # Never more than 40 % of the screen: the rest is the visitor's.
    assert opened["keyboard"][3] <= 0.4 * opened["screen"][1] + 1


@pytest.mark.parametrize(("stage", "lines"), [("opened", 8), ("text_200", 4)])
def test_letter_keeps_room_above_the_keyboard(walk, stage, lines):
    view = walk[stage]
    assert view["lines"] >= lines, f"only {view['lines']:.1f} lines of the letter in view"
    _above_keyboard(view, view["editor"], "the letter")
    # Back and Next stay in reach, above the keyboard.
    for button in ("back", "next"):
        assert view[button] is not None, f"{button} is hidden while typing"
        _above_keyboard(view, view[button], button)
    # The heading compacts and the help line steps aside; the top bar too, unless the screen
    # has room for it beside the lines above (portrait).
    assert not view["title"] and not view["help"]
    if view["screen"][1] > view["screen"][0] and stage == "opened":
        assert view["topbar"], "Start over and the language should stay on a portrait screen"
    assert view["ideas"] and not view["aids"]  # a letter was started: it gets the room


@pytest.mark.parametrize("stage", ["typed_40_lines", "reopened_at_end"])
def test_caret_in_view(walk, stage):
    """After typing 40 lines, and when the keyboard opens with the caret at the end of them."""
    view = walk[stage]
    if stage == "typed_40_lines":
        assert view["block_count"] == 41
    caret, box = view["caret"], view["editor_viewport"]
    assert box[1] <= caret[1] and _bottom(caret) <= _bottom(box), (
        f"caret {caret} outside the letter's box {box}")
    _above_keyboard(view, caret, "the caret")


def test_aids_one_tap_away_without_squeezing_the_letter(walk):
    view = walk["ideas"]
    assert view["keyboard_open"], "the tap on Ideas closed the keyboard"
    assert view["aids"] and view["choices_shown"]
    assert view["editor"][3] == view["editor_height_before"]
    _above_keyboard(view, view["editor"], "the letter")


def test_step_returns_to_its_usual_layout_when_the_keyboard_closes(walk):
    view = walk["closed"]
    assert view["topbar"] and view["title"] and view["help"] and view["aids"]
    assert not view["ideas"]


def test_a_real_keyboard_is_not_covered(walk):
    view = walk["hardware_key"]
    assert view["typed"], "the key from the real keyboard did not reach the letter"
    assert not view["reopened_by_itself"], "the on-screen keyboard came back over a real one"
    assert view["covers"] == []


def test_next_visitor_types_by_touch_again(walk):
    view = walk["next_visitor"]
    assert view["keyboard_open"]
    assert view["layout"] == view["first_layout"]  # the globe key's pick did not stay
    # A blank letter: the starting letters show beside it from the start.
    assert view["aids"] and view["ideas"]
    assert view["lines"] >= 8
    _above_keyboard(view, view["editor"], "the letter")


@pytest.mark.parametrize("mode", ["kiosk", "windowed"])
def test_kiosk_as_started(sample_path, tmp_path, mode):
    """``run_kiosk`` as at an event and as tried out (windowed), without a window manager: the
    window takes the keyboard focus itself, so the on-screen keyboard opens on the letter;
    after it was shown and hidden, staff's Quit still ends the kiosk with exit 0 (anything
    else restarts the service)."""
    with xvfb("1280x800x24") as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        out = subprocess.run(
            [sys.executable, str(PROBE_SCRIPTS / "kiosk_start_probe.py"), str(sample_path),
             str(tmp_path), *(["--windowed"] if mode == "windowed" else [])],
            capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, f"probe failed:\n{out.stderr[-3000:]}"
    assert json.loads(lines[-1]) == {"opened_by_itself": True}
    assert out.returncode == 0, out.stderr[-3000:]
