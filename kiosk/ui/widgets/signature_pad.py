"""The signing pad: a signature drawn with a finger, a stylus or a mouse, kept as a small PNG.

Input. The canvas takes touch, tablet and mouse events each for what they are, and one contact
owns a stroke from press to release:

- **Touch** is accepted as touch (``WA_AcceptTouchEvents``). Left to Qt, a touch the widget
  does not accept becomes a synthesised mouse press/move/release; that works for one finger,
  but a palm or a second finger resting on the glass then moves "the mouse" and scribbles
  across the signature. Accepted, the first finger down draws and any other contact is ignored
  until it lifts; and Qt synthesises no mouse events from it, so nothing is drawn twice.
- **A stylus** on a pen display sends tablet events with sub-pixel positions; they are
  accepted too (no synthesised mouse either).
- **The mouse** draws while its left button is down. A touchscreen that the system reports as
  a plain pointer (many USB panels do) arrives here as mouse events, and draws the same way.
  Mouse events that the platform made from a touch or a pen this canvas already handled are
  ignored.

Strokes are kept as points in the drawing's own frame (``FRAME_WIDTH`` x ``FRAME_HEIGHT``,
kiosk/domain/drawing.py), whatever the canvas's size on screen, and drawn as smooth curves
(QPainterPath): the PNG is the same drawing, re-stroked at the frame's scale and cropped to the
ink.

Accessibility. The canvas is a picture to assistive technology (a QLabel with a pixmap has the
Graphic role; a bare QWidget would be an anonymous "client" area), named and described by the
page: drawing is optional, and the typed name is the signature. It takes no focus, so Tab
passes from the pad's toggle to its Clear button and on, and never stops on something a
keyboard cannot use.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QInputDevice,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from kiosk.domain.drawing import FRAME_HEIGHT, FRAME_WIDTH
from kiosk.ui.widgets.text import button, label, set_text

PAPER = QColor("#ffffff")
INK = QColor("#111111")
RULE = QColor("#77747c")  # the baseline and the border: 4.5:1 on the paper
INK_WIDTH = 4.0  # in frame pixels: about 0.4 mm on an 80 mm receipt
CROP_MARGIN = 6  # frame pixels of paper kept around the ink
BASELINE = 0.75  # of the frame's height
MAX_WIDTH = FRAME_WIDTH  # on screen: wider is a long reach for one arm, and pushes the page down

_TOUCH = (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
          QEvent.Type.TouchCancel)


def smooth_path(points: list[QPointF]) -> QPainterPath:
    """A curve through sampled points: quadratic segments from midpoint to midpoint with each
    sample as the control point, so a fast stroke's sparse samples still make a round line
    rather than a polygon."""
    path = QPainterPath(points[0])
    if len(points) == 1:
        path.lineTo(points[0] + QPointF(0.01, 0))  # a dot: the round cap draws it
        return path
    for a, b in pairwise(points):
        path.quadTo(a, (a + b) / 2)
    path.lineTo(points[-1])
    return path


def _ink_pen(width: float) -> QPen:
    pen = QPen(INK, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


class SignatureCanvas(QLabel):
    """The paper one signs on: a baseline, strokes, nothing else. ``changed`` after each stroke
    and after ``clear()``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # An empty pixmap gives the canvas the Graphic role (see the module's docstring).
        blank = QPixmap(1, 1)
        blank.fill(Qt.GlobalColor.transparent)
        self.setPixmap(blank)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMaximumWidth(MAX_WIDTH)
        self._strokes: list[QPainterPath] = []
        self._points: list[QPointF] = []  # the stroke being drawn
        self._owner: object = None  # what draws it: "mouse", "pen" or a touch point's id
        self._native = False  # touch or pen events came here: their synthesised mice are not

    # --- size ------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(FRAME_WIDTH, FRAME_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 100)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(min(width, MAX_WIDTH) * FRAME_HEIGHT / FRAME_WIDTH)

    def _frame(self) -> tuple[QRectF, float]:
        """Where the drawing's frame is on the canvas, and its scale (uniform, centred)."""
        scale = min(self.width() / FRAME_WIDTH, self.height() / FRAME_HEIGHT) or 1.0
        w, h = FRAME_WIDTH * scale, FRAME_HEIGHT * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h), scale

    def from_frame(self, point: QPointF) -> QPointF:
        """Where a point of the drawing's frame is on the canvas now."""
        rect, scale = self._frame()
        return rect.topLeft() + point * scale

    def _to_frame(self, pos: QPointF) -> QPointF:
        rect, scale = self._frame()
        x = min(max((pos.x() - rect.x()) / scale, 0.0), FRAME_WIDTH)
        y = min(max((pos.y() - rect.y()) / scale, 0.0), FRAME_HEIGHT)
        return QPointF(x, y)

    # --- strokes ---------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        had = bool(self._strokes or self._points)
        self._strokes.clear()
        self._points.clear()
        self._owner = None
        self.update()
        if had:
            self.changed.emit()

    def _begin(self, owner: object, pos: QPointF) -> None:
        self._owner = owner
        self._points = [self._to_frame(pos)]
        self.update()

    def _extend(self, pos: QPointF) -> None:
        point = self._to_frame(pos)
        if point != self._points[-1]:
            self._points.append(point)
            self.update()

    def _end(self) -> None:
        points, self._points, self._owner = self._points, [], None
        if points:
            self._strokes.append(smooth_path(points))
            self.update()
            self.changed.emit()

    # --- input -----------------------------------------------------------------------------------

    def event(self, e: QEvent) -> bool:
        if e.type() in _TOUCH:
            self._touch(e)  # type: ignore[arg-type]  # a touch event, by its type
            return True
        return super().event(e)

    def _touch(self, e: QTouchEvent) -> None:
        self._native = True
        e.accept()
        if e.type() == QEvent.Type.TouchCancel:  # the system took the touch (a gesture)
            self._end()
            return
        for point in e.points():
            state = point.state()
            if self._owner is None and state == point.State.Pressed:
                self._begin(("touch", point.id()), point.position())
            elif self._owner == ("touch", point.id()):
                self._extend(point.position())
                if state == point.State.Released:
                    self._end()

    def tabletEvent(self, e: QTabletEvent) -> None:
        self._native = True
        e.accept()
        kind = e.type()
        if kind == QEvent.Type.TabletPress and self._owner is None:
            self._begin("pen", e.position())
        elif self._owner == "pen":
            self._extend(e.position())
            if kind == QEvent.Type.TabletRelease:
                self._end()

    def _from_mouse(self, e: QMouseEvent) -> bool:
        """A real mouse (or a touchscreen seen as one), not one Qt made from a touch or a pen
        this canvas has handled as such."""
        return not (self._native and e.deviceType() != QInputDevice.DeviceType.Mouse)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        e.accept()
        if (e.button() == Qt.MouseButton.LeftButton and self._owner is None
                and self._from_mouse(e)):
            self._begin("mouse", e.position())

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        e.accept()
        if self._owner == "mouse":
            self._extend(e.position())

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        e.accept()
        if self._owner == "mouse" and e.button() == Qt.MouseButton.LeftButton:
            self._extend(e.position())
            self._end()

    # --- pictures --------------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), PAPER)
        p.setPen(QPen(RULE, 2))
        p.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        rect, scale = self._frame()
        p.translate(rect.topLeft())
        p.scale(scale, scale)
        y = FRAME_HEIGHT * BASELINE
        p.setPen(QPen(RULE, 2 / scale))
        p.drawLine(QPointF(24, y), QPointF(FRAME_WIDTH - 24, y))
        # The cross where a signature starts, as on a paper form.
        p.drawLine(QPointF(28, y - 22), QPointF(42, y - 8))
        p.drawLine(QPointF(42, y - 22), QPointF(28, y - 8))
        p.setPen(_ink_pen(INK_WIDTH))
        for path in self._strokes:
            p.drawPath(path)
        if self._points:
            p.drawPath(smooth_path(self._points))
        p.end()

    def png(self) -> bytes | None:
        """The strokes in black on white, cropped to the ink (at most the frame's size), as PNG
        bytes; None when nothing is drawn."""
        if not self._strokes:
            return None
        image = QImage(FRAME_WIDTH, FRAME_HEIGHT, QImage.Format.Format_Grayscale8)
        image.fill(PAPER)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(_ink_pen(INK_WIDTH))
        bounds = QRectF()
        for path in self._strokes:
            p.drawPath(path)
            bounds = bounds.united(path.boundingRect())
        p.end()
        grow = INK_WIDTH / 2 + CROP_MARGIN
        crop = bounds.adjusted(-grow, -grow, grow, grow).toAlignedRect()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # A str format: PySide6 6.11's stubs say bytes, but the call refuses them at run time.
        image.copy(crop.intersected(image.rect())).save(buffer, "PNG")  # type: ignore[call-overload]
        return bytes(buffer.data().data())


class SignaturePad(QWidget):
    """A hint, the canvas and a Clear button. ``changed`` whenever the drawing changes (a
    stroke, Clear); ``png()`` is the drawing, or None."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hint = label("help")
        self.clear_button = button()
        self.canvas = SignatureCanvas()
        self.clear_button.clicked.connect(self.canvas.clear)
        self.canvas.changed.connect(self.changed)
        # Clear beside the canvas, at the end of the line one signs on: no row of its own, so
        # the open pad pushes the rest of the page down as little as it can.
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setHorizontalSpacing(16)
        lay.setVerticalSpacing(8)
        lay.addWidget(self.hint, 0, 0, 1, 2)
        lay.addWidget(self.canvas, 1, 0)
        lay.addWidget(self.clear_button, 1, 1, Qt.AlignmentFlag.AlignBottom)
        lay.setColumnStretch(2, 1)

    def set_texts(self, *, hint: str, name: str, description: str, clear: str,
                  clear_description: str) -> None:
        set_text(self.hint, hint)
        set_text(self.clear_button, clear, clear_description)
        self.canvas.setAccessibleName(name)
        self.canvas.setAccessibleDescription(description)

    def is_empty(self) -> bool:
        return self.canvas.is_empty()

    def png(self) -> bytes | None:
        return self.canvas.png()

    def clear(self) -> None:
        self.canvas.clear()

    def wipe(self) -> None:
        """Forget the drawing without telling anyone (the session is new already)."""
        self.canvas.blockSignals(True)
        self.canvas.clear()
        self.canvas.blockSignals(False)
