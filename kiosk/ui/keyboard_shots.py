"""``render-screens``' keyboard pictures: the Write and Sign steps with the on-screen keyboard open.

Qt Virtual Keyboard must be chosen before the QApplication exists, has no input context on the
``offscreen`` platform, and sizes itself from the screen. So each screen shape gets a private
Xvfb of exactly that size, and a process of its own (``python -m kiosk.ui.keyboard_shots``,
internal) that opens the real kiosk window there and saves a picture of the whole X screen:
window and keyboard as a visitor sees them. ``render_keyboard_screens`` runs those processes.

Like ``screenshots``, the letters a sample visitor leaves go to a throwaway data dir, never the
event's store.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.config import Campaign
    from kiosk.ui.window import KioskWindow

# The screens kiosks are bought with: a laptop-sized landscape panel, full HD, and full HD on
# its side (a floor stand).
SHAPES: tuple[tuple[int, int], ...] = ((1280, 800), (1920, 1080), (1080, 1920))
# Seconds a keyboard may take to open or close. Waits end as soon as it has, so only a busy
# machine comes near this; past it something is broken, and the message says what.
WAIT = 120.0
# Seconds one screen shape may take in all (Qt start-up, two languages, two steps each).
PER_SHAPE = 600.0
# Checks in a row (one an event-loop pass, at most every 25 ms) that must find the screen
# unchanged before it is photographed.
STILL_POLLS = 4
STDERR_TAIL = 1500  # characters of a failed process's stderr worth showing


class KeyboardShotsFailed(Exception):
    """Some keyboard pictures could not be made. ``written`` holds those that were."""

    def __init__(self, message: str, written: list[Path]):
        super().__init__(message)
        self.written = written


def shape_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


# --- the command's side: one Xvfb and one process a shape -------------------------------------


def render_keyboard_screens(
    campaign: Campaign,
    out: Path,
    *,
    text_size: int = 100,
    high_contrast: bool = False,
    shapes: Sequence[tuple[int, int]] = SHAPES,
    on_saved: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Save ``14-write-keyboard-<shape>-<lang>.png`` and ``15-sign-keyboard-<shape>-<lang>.png``
    for every shape and language; return their paths (``on_saved`` hears of each at once).

    Raises XvfbMissing (before any work) when Xvfb is not installed, KeyboardShotsFailed when
    a picture could not be made.
    """
    import shutil

    from kiosk.xvfb import XvfbFailed, XvfbMissing, xvfb

    if shutil.which("Xvfb") is None:
        raise XvfbMissing("Xvfb is missing")
    if campaign.source is None:
        # The process reads the campaign itself: it cannot be handed an object.
        raise KeyboardShotsFailed("The keyboard screens need a campaign read from a file.", [])
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for size in shapes:
        shape = shape_name(size)
        try:
            with xvfb(f"{shape}x24") as display:
                proc = _run_shots(display, campaign.source, out, text_size, high_contrast)
        except XvfbFailed as e:
            raise KeyboardShotsFailed(
                f"The keyboard screens at {shape} could not be made: {e}", written) from None
        except subprocess.TimeoutExpired:
            raise KeyboardShotsFailed(
                f"The keyboard screens at {shape} could not be made: still not done after "
                f"{PER_SHAPE:.0f} s.", written) from None
        for line in proc.stdout.splitlines():
            path = Path(line.strip())
            if line.strip() and path.is_file():
                written.append(path)
                if on_saved is not None:
                    on_saved(path)
        if proc.returncode != 0:
            tail = proc.stderr.strip()[-STDERR_TAIL:]
            raise KeyboardShotsFailed(
                f"The keyboard screens at {shape} could not be made "
                f"(exit {proc.returncode}):\n{tail}", written)
    return written


def _run_shots(display: str, campaign_file: Path, out: Path, text_size: int,
               high_contrast: bool) -> subprocess.CompletedProcess[str]:
    import kiosk

    package_root = str(Path(kiosk.__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        # The kiosk's keyboard, whatever input method the desktop running this command uses.
        "QT_IM_MODULE": "qtvirtualkeyboard",
        # The same kiosk package as this process, installed or not, wherever we are run from.
        "PYTHONPATH": os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p),
    }
    env.pop("WAYLAND_DISPLAY", None)
    cmd = [sys.executable, "-m", "kiosk.ui.keyboard_shots", str(campaign_file), str(out),
           "--text-size", str(text_size)]
    if high_contrast:
        cmd.append("--high-contrast")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=PER_SHAPE,
                          stdin=subprocess.DEVNULL)


# --- the process's side: the kiosk window on this display ---------------------------------------


class _NotSettled(Exception):
    pass


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Run the event loop until ``condition()`` holds; a condition, never a fixed delay."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    met = [False]

    def check() -> None:
        if condition():
            met[0] = True
            loop.quit()
        elif time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(25)
    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not met[0]:
        raise _NotSettled(f"{what} (waited {timeout:.0f} s)")


class _Photographer:
    """Walks a sample visitor through one window and photographs the screen with the keyboard
    open. One per process: the keyboard belongs to the application."""

    def __init__(self, window: KioskWindow, out: Path, shape: str):
        from PySide6.QtGui import QGuiApplication

        self.window = window
        self.out = out
        self.shape = shape
        self.input = QGuiApplication.inputMethod()

    def _room_made(self) -> bool:
        return self.window.typing  # the window has made room for the keyboard

    def _bottom_margin(self) -> int:
        lay = self.window.layout()
        assert lay is not None  # the window's, set when it is made
        return lay.contentsMargins().bottom()

    def photograph(self, field: QWidget, name: str) -> Path:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        from kiosk.ui.touch_keyboard import layout_for

        lang = self.window.journey.language
        wanted = layout_for(lang, self.window.journey.campaign.campaign.french_keyboard)
        where = f"{name}, {self.shape}, {lang}"
        # As a visitor's tap does: the window active, the field focused, the keyboard asked for.
        self.window.activateWindow()
        field.setFocus(Qt.FocusReason.MouseFocusReason)
        self.input.show()
        im = self.input
        _wait_until(lambda: (im.isVisible() and im.keyboardRectangle().height() > 0
                             and not im.isAnimating() and self._room_made()
                             and QApplication.focusWidget() is field),
                    f"the keyboard did not open for the field ({where})")
        # The keyboard follows the journey's language; a French picture with English keys
        # would be a lie.
        _wait_until(lambda: im.locale().name() == wanted,
                    f"the keyboard did not switch to {wanted} ({where}); it shows "
                    f"{im.locale().name()}")
        # The kiosk may still be moving things (the keyboard fitted to the screen, the window
        # making room, the page scrolled to the caret): a picture waits for stillness.
        _wait_until(self._still(field), f"the screen never settled ({where})")
        self.window.repaint()
        self._fresh_keyboard_frame(where)
        path = self.out / f"{name}-{self.shape}-{lang}.png"
        if not QApplication.primaryScreen().grabWindow(0).save(str(path)):
            raise _NotSettled(f"could not write {path}")
        return path

    def _still(self, field: QWidget) -> Callable[[], bool]:
        """A condition: nothing a visitor would see has moved for STILL_POLLS checks running."""
        from PySide6.QtCore import Qt

        seen: list[tuple] = []

        def look() -> tuple:
            kb = self.input.keyboardRectangle().toRect()
            at = field.mapToGlobal(field.rect().topLeft())
            caret = field.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle)
            return (kb.getRect(), self._bottom_margin(),
                    at.x(), at.y(), field.width(), field.height(), str(caret))

        def still() -> bool:
            seen.append(look())
            return len(seen) >= STILL_POLLS and len(set(seen[-STILL_POLLS:])) == 1

        return still

    def _fresh_keyboard_frame(self, where: str) -> None:
        """Wait for the keyboard to draw one frame after everything settled: it draws in its
        own window, and a picture taken before that frame could show its old language."""
        from kiosk.ui.touch_keyboard import input_view

        view = input_view()
        if view is None:
            raise _NotSettled(f"the keyboard has no window ({where})")
        swapped = [False]

        def on_swap() -> None:
            swapped[0] = True

        view.frameSwapped.connect(on_swap)
        try:
            view.update()
            _wait_until(lambda: swapped[0], f"the keyboard never drew itself ({where})")
        finally:
            view.frameSwapped.disconnect(on_swap)

    def close_keyboard(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.input.hide()
        _wait_until(lambda: not self.input.isVisible() and not self._room_made(),
                    f"the keyboard did not close ({self.shape})")
        focus = QApplication.focusWidget()
        if focus is not None:
            focus.clearFocus()


def _shots(app, campaign: Campaign, out: Path, text_size: int,
           high_contrast: bool) -> Iterator[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    from kiosk.domain.journey import Step
    from kiosk.ui import touch_keyboard
    from kiosk.ui.app import build_window
    from kiosk.ui.pages.sign import SignPage
    from kiosk.ui.pages.write import WritePage
    from kiosk.ui.screenshots import SAMPLE_VISITOR
    from kiosk.ui.visitor import Stuck, Visitor

    screen = app.primaryScreen().geometry()
    shape = shape_name((screen.width(), screen.height()))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-keyboard-screens-") as scratch:
        window = build_window(campaign, Path(scratch), kiosk_mode=False)
        # As run_kiosk shows it at an event: frameless and the screen's size. Not kiosk mode,
        # so that it closes when done.
        window.setWindowFlags(
            Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        window.setGeometry(screen)
        window.setFixedSize(screen.size())
        window.keyboard = touch_keyboard.TouchKeyboard(window, campaign.campaign.french_keyboard)
        window.show()
        services = window.services
        assert services is not None  # build_window gives the window its services
        v = Visitor(window)
        write, sign = v.page(Step.WRITE, WritePage), v.page(Step.SIGN, SignPage)
        # The real workers, printing into the scratch dir, so status lines tell the truth.
        services.start()
        try:
            _wait_until(lambda: window.windowHandle() is not None
                        and window.windowHandle().isExposed(),
                        f"the kiosk window never showed ({shape})")
            camera = _Photographer(window, out, shape)
            j = window.journey
            for lang in campaign.languages:
                v.language(lang)
                v.start()
                j.update(text_size=text_size, high_contrast=high_contrast)
                window.apply_theme()
                v.choose(*(r.id for r in campaign.recipients[:2]))
                v.next()
                v.starting_text(campaign.starting_texts[0].id)
                # A visitor adding to the starting text types at its end.
                write.editor.moveCursor(QTextCursor.MoveOperation.End)
                yield camera.photograph(write.editor, "14-write-keyboard")
                camera.close_keyboard()
                try:
                    v.next()
                except Stuck as e:
                    raise _NotSettled(f"the Write step did not accept its sample text ({lang}): "
                                      f"{e}") from None
                sample = SAMPLE_VISITOR[lang]
                v.sign(first=sample.get("first_name"), last=sample.get("last_name"),
                       city=sample.get("city"), postal_code=sample.get("postal_code"),
                       email=sample.get("email"))
                yield camera.photograph(sign.edits["email"], "15-sign-keyboard")
                camera.close_keyboard()
                v.start_over()
        finally:
            services.stop()
            window.allow_close()
            window.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.ui.keyboard_shots",
                                     description="internal: run by render-screens")
    parser.add_argument("campaign", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--text-size", type=int, choices=(100, 150, 200), default=100)
    parser.add_argument("--high-contrast", action="store_true")
    args = parser.parse_args(argv)
    # Before anything creates the QApplication: the keyboard is chosen once, at start-up.
    from kiosk.ui import touch_keyboard

    touch_keyboard.prepare()
    from kiosk.app.preflight import load_campaign
    from kiosk.errors import Refusal

    try:
        campaign = load_campaign(args.campaign)
    except Refusal as e:
        print("\n".join(e.lines()), file=sys.stderr)
        return 2
    from kiosk.ui.app import make_app

    app = make_app()
    try:
        for path in _shots(app, campaign, args.out, args.text_size, args.high_contrast):
            print(path, flush=True)  # one at a time: a later failure keeps these
    except _NotSettled as e:
        print(f"Gave up: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: once the keyboard has been hidden, Qt 6.11's teardown aborts the process
    # (the keyboard's window is destroyed after the application and makes a QCursor: "Must
    # construct a QGuiApplication before a QPixmap", SIGABRT). The pictures are saved and the
    # scratch dir is gone by now; nothing is left for a clean exit to do.
    os._exit(code)
