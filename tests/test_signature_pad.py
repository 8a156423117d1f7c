"""The signing pad on the Sign step: drawn with a mouse, a finger or a stylus, kept as a small
cropped PNG in the session, never needed (keyboard and screen-reader users type their name),
and gone for the next visitor whichever way the last one left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.domain.drawing import FRAME_HEIGHT, FRAME_WIDTH
from kiosk.domain.journey import Step
from kiosk.domain.letter import SignMode
from kiosk.ui.widgets import SignaturePad

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def pad(qtbot):
    w = SignaturePad()
    qtbot.addWidget(w)
    w.resize(720, 320)
    w.show()
    qtbot.waitExposed(w)
    return w


def draw(qtbot, canvas, points: list[tuple[int, int]]) -> None:
    """A stroke with the mouse, through QTest: press, moves, release."""
    qtbot.mousePress(canvas, LEFT, pos=QPoint(*points[0]))
    for p in points[1:]:
        qtbot.mouseMove(canvas, QPoint(*p))
    qtbot.mouseRelease(canvas, LEFT, pos=QPoint(*points[-1]))


def image(png: bytes | None) -> QImage:
    assert png is not None
    img = QImage.fromData(png)
    assert not img.isNull()
    return img


def dark_pixels(img: QImage) -> int:
    return sum(QColor(img.pixel(x, y)).lightness() < 128
               for y in range(img.height()) for x in range(img.width()))


def test_a_mouse_stroke_makes_a_small_png_cropped_to_the_ink(qtbot, pad):
    canvas = pad.canvas
    assert pad.png() is None and pad.is_empty()
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, canvas, [(100, 100), (150, 110), (200, 90), (300, 120)])
    img = image(pad.png())
    scale = FRAME_WIDTH / canvas.width()
    # Cropped: about the stroke's own size in the frame, not the whole pad.
    assert img.width() == pytest.approx(200 * scale + 4 + 12, abs=4)
    assert img.height() < 70 and img.width() <= FRAME_WIDTH and img.height() <= FRAME_HEIGHT
    assert img.isGrayscale() and dark_pixels(img) > 100
    corners = [img.pixel(0, 0), img.pixel(img.width() - 1, img.height() - 1)]
    assert all(QColor(c).lightness() == 255 for c in corners), "white paper around the ink"
    assert len(pad.png() or b"") < 8000

    with qtbot.waitSignal(pad.changed):
        qtbot.mouseClick(pad.clear_button, LEFT)
    assert pad.png() is None and pad.is_empty()


def test_a_whole_pad_signature_stays_within_the_frame(qtbot, pad):
    canvas = pad.canvas
    w, h = canvas.width(), canvas.height()
    draw(qtbot, canvas, [(-50, -50), (w // 2, h // 2), (w + 80, h + 80)])  # past the edges
    img = image(pad.png())
    assert (img.width(), img.height()) == (FRAME_WIDTH, FRAME_HEIGHT)


def test_a_finger_draws_and_a_second_finger_or_a_palm_does_not(qtbot, pad):
    canvas = pad.canvas
    touch = QTest.createTouchDevice()

    def at(x: int, y: int) -> QPoint:
        # PySide6 6.11's QTest takes a widget's touch points in its window's coordinates.
        return canvas.mapTo(canvas.window(), QPoint(x, y))

    def fingers():
        return QTest.touchEvent(canvas, touch)

    fingers().press(0, at(60, 180)).commit()
    fingers().move(0, at(160, 185)).press(1, at(300, 30)).commit()
    fingers().move(0, at(260, 190)).move(1, at(500, 40)).commit()
    fingers().release(0, at(260, 190)).release(1, at(500, 40)).commit()
    img = image(pad.png())
    scale = FRAME_WIDTH / canvas.width()
    assert img.height() < 40, "only the first finger's stroke, low on the pad"
    assert img.width() == pytest.approx(200 * scale + 16, abs=4)
    # Accepted as touch, so Qt made no mouse events of it: nothing else was drawn.
    assert dark_pixels(img) < 200 * scale * 8
    fingers().press(0, at(400, 60)).commit()
    fingers().release(0, at(400, 60)).commit()
    assert image(pad.png()).height() > 100, "a tap is a dot of ink too"


def test_a_stylus_draws(qtbot, pad):
    canvas = pad.canvas
    pen = QPointingDevice("pen", 7, QPointingDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QPointingDevice.Capability.Position | QPointingDevice.Capability.Pressure,
                          1, 2)

    def tablet(kind, x: float, y: float) -> None:
        pos = QPointF(x, y)
        buttons = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(kind, pen, pos, QPointF(canvas.mapToGlobal(pos)), 0.5, 0, 0, 0, 0, 0,
                             Qt.KeyboardModifier.NoModifier, LEFT, buttons)
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()

    tablet(QTabletEvent.Type.TabletPress, 100.5, 120.25)
    for x in range(110, 300, 7):
        tablet(QTabletEvent.Type.TabletMove, x + 0.5, 120 + x % 20)
    tablet(QTabletEvent.Type.TabletRelease, 300.5, 125)
    assert dark_pixels(image(pad.png())) > 100


def test_the_canvas_is_a_named_picture_that_takes_no_focus(pad):
    pad.set_texts(hint="Sign here", name="Signature pad", description="Optional.",
                  clear="Clear", clear_description="Erase it.")
    iface = QAccessible.queryAccessibleInterface(pad.canvas)
    assert iface.role() == QAccessible.Role.Graphic
    assert iface.text(QAccessible.Text.Name) == "Signature pad"
    assert iface.text(QAccessible.Text.Description) == "Optional."
    assert pad.canvas.focusPolicy() == Qt.FocusPolicy.NoFocus


# --- on the Sign step ----------------------------------------------------------------------------


def to_sign(v, window):
    v.start()
    v.choose("pm")
    v.next()
    v.starting_text(window.journey.campaign.starting_texts[0].id)
    v.next()
    assert window.journey.step is Step.SIGN
    return window.pages[Step.SIGN]


def test_the_pad_is_offered_for_a_named_letter_only_and_closed_at_first(visitor, open_window):
    window = open_window()
    v = visitor(window)
    sign = to_sign(v, window)
    assert sign.draw_toggle.isVisible() and not sign.draw_toggle.isChecked()
    assert not sign.pad.isVisible()
    v.sign(mode=SignMode.ANONYMOUS)
    assert not sign.draw_toggle.isVisible()
    v.sign(mode=SignMode.FIRST)
    assert sign.draw_toggle.isVisible()


def test_a_campaign_can_turn_the_pad_off(visitor, open_window, campaign):
    letter = campaign.letter.model_copy(update={"drawn_signature": False})
    window = open_window(chosen=campaign.model_copy(update={"letter": letter}))
    sign = to_sign(visitor(window), window)
    assert not sign.draw_toggle.isVisible() and not sign.pad.isVisible()


def test_the_drawing_goes_with_the_letter_and_shows_on_the_review(visitor, open_window):
    window = open_window()
    j = window.journey
    v = visitor(window)
    sign = to_sign(v, window)
    v.sign(first="Ana", last="Lopes")
    v.draw_signature()
    assert sign.pad.isVisible()
    drawn = j.session.drawing
    assert drawn is not None and drawn == sign.pad.png()
    assert j.letters()[0].signer.drawing == drawn
    v.review()
    (shown,) = v.letters_shown()
    # A screen reader hears that the letter carries it, just above the name.
    assert "[Your drawn signature]\nAna Lopes" in shown
    review = window.pages[Step.REVIEW]
    assert any(line.style == "drawing" and line.image == drawn
               for line in review.previews[0].lines)
    v.back()
    v.sign(mode=SignMode.ANONYMOUS)  # an unsigned letter is never signed by hand
    v.review()
    assert "[Your drawn signature]" not in v.letters_shown()[0]
    v.back()
    v.sign(mode=SignMode.FULL)
    v.tap(sign.draw_toggle.box)  # closing the pad: the letter goes without the drawing
    assert j.session.drawing is None and not sign.pad.isVisible()
    v.tap(sign.draw_toggle.box)  # the strokes were only put away
    assert j.session.drawing == drawn
    v.review()
    v.next()
    v.send(print=True)
    [letter] = window.services.store.letters()
    row = window.services.store.conn.execute(
        "SELECT png FROM letter_drawings WHERE letter_id = ?", (letter.id,)).fetchone()
    assert bytes(row[0]) == drawn


def _start_over(v, window):
    v.start_over()


def _idle(v, window):
    window.journey.idle_timeout()


def _done(v, window):
    v.review()
    v.next()
    v.send(print=True)
    v.done()


def _back_to_start(v, window):
    for _ in range(3):
        v.back()


@pytest.mark.parametrize("leave", [_start_over, _idle, _done, _back_to_start],
                         ids=["start over", "idle timeout", "done", "back to the start"])
def test_the_next_visitor_never_sees_a_drawing(visitor, open_window, leave):
    window = open_window()
    j = window.journey
    v = visitor(window)
    sign = to_sign(v, window)
    v.sign(first="Ana", last="Lopes")
    v.draw_signature()
    assert j.session.drawing
    leave(v, window)
    assert j.step is Step.ATTRACT
    assert j.session.drawing is None
    assert sign.pad.is_empty() and not sign.draw_toggle.isChecked()
    to_sign(v, window)
    assert not sign.pad.isVisible() and sign.pad.png() is None
    v.tap(sign.draw_toggle.box)
    assert sign.pad.isVisible() and sign.pad.is_empty() and j.session.drawing is None


def test_tab_passes_the_pad_without_stopping_in_it(qtbot, visitor, open_window):
    window = open_window(kiosk_mode=True)
    v = visitor(window)
    sign = to_sign(v, window)
    v.sign(first="Ana", last="Lopes")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    chain = []
    sign.edits["last_name"].setFocus()
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        chain.append(QApplication.focusWidget())
    # Closed: from the name straight to the box, then on to the place.
    assert chain[:2] == [sign.draw_toggle.box, sign.edits["city"]]
    qtbot.keyClick(sign.draw_toggle.box, Qt.Key.Key_Space)  # open it by keyboard
    assert sign.pad.isVisible()
    sign.edits["last_name"].setFocus()
    chain = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        chain.append(QApplication.focusWidget())
    assert chain == [sign.draw_toggle.box, sign.pad.clear_button, sign.edits["city"]]
    assert sign.pad.canvas not in chain
    # Nothing drawn: the letter is signed by the typed name alone, and the step goes on.
    assert window.journey.session.drawing is None and window.journey.problems() == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_pad_is_named_and_described_in_the_language_on_screen(visitor, open_window, lang):
    from kiosk.i18n import tr

    window = open_window()
    v = visitor(window)
    v.language(lang)
    sign = to_sign(v, window)
    v.tap(sign.draw_toggle.box)
    canvas = QAccessible.queryAccessibleInterface(sign.pad.canvas)
    assert canvas.role() == QAccessible.Role.Graphic
    assert canvas.text(QAccessible.Text.Name) == tr("drawing.pad", lang)
    assert canvas.text(QAccessible.Text.Description) == tr("drawing.pad_help", lang)
    box = QAccessible.queryAccessibleInterface(sign.draw_toggle.box)
    assert box.role() == QAccessible.Role.CheckBox
    assert box.text(QAccessible.Text.Name) == tr("drawing.toggle", lang)
    assert box.text(QAccessible.Text.Description) == tr("drawing.toggle_help", lang)
    clear = QAccessible.queryAccessibleInterface(sign.pad.clear_button)
    assert clear.text(QAccessible.Text.Name) == tr("drawing.clear", lang)
