"""``render-screens``: every screen offscreen, and the Write and Sign steps with the on-screen
keyboard open at three screen shapes, each on a private Xvfb the command starts itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from kiosk.ui.keyboard_shots import SHAPES, shape_name

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("en", "fr")  # the sample campaign's
KEYBOARD_SHOTS = [f"{step}-keyboard-{shape_name(size)}-{lang}.png"
                  for step in ("14-write", "15-sign") for size in SHAPES for lang in LANGS]


def _render(out: Path, *args: str, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "render-screens", "--out", str(out), *args],
        capture_output=True, text=True, timeout=1200, cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def _brightness(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    return ImageStat.Stat(img.crop(box).convert("L")).mean[0]


def _keyboard_band(img: Image.Image) -> tuple[int, int, int, int]:
    """The middle of the bottom twelfth: keys, wherever the kiosk fits the keyboard."""
    w, h = img.size
    return (w // 5, h - h // 12, w - w // 5, h)


def test_the_keyboard_is_open_in_both_languages_at_three_screen_shapes(tmp_path):
    out = tmp_path / "screens"
    proc = _render(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    listed = {Path(line).name for line in proc.stdout.splitlines()}
    assert {"3-write-fr.png", "4-sign-en.png"} <= listed  # the offscreen screens, as before
    assert set(KEYBOARD_SHOTS) <= listed
    for name in KEYBOARD_SHOTS:
        img = Image.open(out / name).convert("RGB")
        shape = name.split("-")[3]
        assert shape_name(img.size) == shape, f"{name} is {img.size}: not its screen's size"
        w, h = img.size
        top = _brightness(img, (0, 0, w, h // 10))
        keys = _brightness(img, _keyboard_band(img))
        # The window is light; the keyboard is dark. A keyboard that never opened leaves the
        # window's light bottom bar there.
        assert top > 180 and keys < 110, f"{name}: no keyboard (top {top:.0f}, keys {keys:.0f})"
    for step in ("14-write", "15-sign"):
        for size in SHAPES:
            en, fr = (Image.open(out / f"{step}-keyboard-{shape_name(size)}-{lang}.png")
                      .convert("RGB") for lang in LANGS)
            # Each language's own keys (accents, the space bar's name), not one keyboard twice.
            band = _keyboard_band(en)
            assert ImageChops.difference(en.crop(band), fr.crop(band)).getbbox() is not None, \
                f"{step} at {shape_name(size)}: the same keyboard in English and French"


def test_without_xvfb_the_keyboard_screens_are_skipped_with_a_note(tmp_path):
    bare = tmp_path / "bin"  # a PATH with no Xvfb on it
    bare.mkdir()
    out = tmp_path / "screens"
    proc = _render(out, env={"PATH": str(bare)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    notes = [line for line in proc.stderr.splitlines() if "xvfb" in line.lower()]
    assert notes == ["The screens with the on-screen keyboard need the xvfb package (Xvfb); "
                     "they were skipped."]
    assert (out / "3-write-fr.png").is_file()
    assert not list(out.glob("*keyboard*"))


def test_no_keyboard_leaves_them_out(tmp_path):
    out = tmp_path / "screens"
    proc = _render(out, "--no-keyboard")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "4-sign-en.png").is_file()
    for lang in LANGS:  # the office printer's staff screens too
        assert (out / f"14-staff-envelopes-{lang}.png").is_file()
        assert (out / f"14-staff-envelopes-print-{lang}.png").is_file()
    assert not list(out.glob("*keyboard*"))


def test_a_keyboard_screen_that_cannot_be_made_is_exit_1_with_the_reason(tmp_path):
    out = tmp_path / "screens"
    blocked = KEYBOARD_SHOTS[0]
    (out / blocked).mkdir(parents=True)  # a folder where the picture should go
    proc = _render(out)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "The keyboard screens at 1280x800 could not be made" in proc.stderr
    assert f"could not write {out / blocked}" in proc.stderr  # the picture process's reason
    assert (out / "3-write-fr.png").is_file()  # the offscreen screens are still there
