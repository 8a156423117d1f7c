"""Small reusable widgets: labels with a role, buttons, the QR code, the modal overlay."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def label(role: str = "", *, wrap: bool = True, parent: QWidget | None = None) -> QLabel:
    w = QLabel(parent)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    w.setTextFormat(Qt.TextFormat.PlainText)  # visitor and campaign text is never markup
    return w


def button(
    role: str = "", *, checkable: bool = False, parent: QWidget | None = None
) -> QPushButton:
    b = QPushButton(parent)
    if role:
        b.setProperty("role", role)
    b.setCheckable(checkable)
    b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    b.setAutoDefault(True)  # Enter presses the focused button, as Space does
    return b


def set_checked_quietly(b: QPushButton, on: bool) -> None:
    """Show a state without acting on it. Checkable buttons act on ``toggled`` (a screen
    reader's default action toggles rather than clicks), so the program's own changes must not
    emit it."""
    b.blockSignals(True)
    b.setChecked(on)
    b.blockSignals(False)


def set_compact(w: QWidget, compact: bool) -> None:
    """Switch the theme's compact look (a smaller heading while the keyboard is open)."""
    if bool(w.property("compact")) != compact:
        w.setProperty("compact", compact)
        w.style().unpolish(w)
        w.style().polish(w)


def set_text(w: QLabel | QPushButton, text: str, description: str = "") -> None:
    """Set visible text and the name a screen reader speaks, always together."""
    if w.text() != text:  # unchanged text would still cost a relayout
        w.setText(text)
    name = text.replace("&", "").replace("\n", " ")
    if w.accessibleName() != name:
        w.setAccessibleName(name)
    if description and w.accessibleDescription() != description:
        w.setAccessibleDescription(description)


class QrCode(QWidget):
    """Draws a QR matrix crisp at any size (no image scaling, no blur)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._matrix: list[list[bool]] = []
        self._cached = None
        # Square and no taller than it is wide, so its caption sits right under it.
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:
        return QSize(400, 400)

    def has_data(self) -> bool:
        return bool(self._matrix)

    def set_data(self, data: str) -> None:
        from kiosk.delivery.qr import qr_matrix

        self._matrix = qr_matrix(data)
        self._cached = None
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        return w

    def paintEvent(self, _event) -> None:
        if not self._matrix:
            return
        n = len(self._matrix)
        side = min(self.width(), self.height())
        cell = side // n
        if cell < 1:
            return
        x0 = (self.width() - cell * n) // 2
        y0 = self.height() - cell * n  # bottom-aligned: the caption below stays close
        p = QPainter(self)
        # One pixel a module, scaled by a whole number without smoothing: crisp, and cheap
        # to repaint on every frame of the thank-you screen.
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        p.drawImage(QRectF(x0, y0, cell * n, cell * n), self._image())
        p.end()

    def _image(self):
        from PySide6.QtGui import QImage

        if self._cached is None:
            n = len(self._matrix)
            image = QImage(n, n, QImage.Format.Format_Mono)
            image.setColorTable([QColor("white").rgb(), QColor("black").rgb()])
            for y, row in enumerate(self._matrix):
                for x, dark in enumerate(row):
                    image.setPixel(x, y, 1 if dark else 0)
            self._cached = image
        return self._cached


class Overlay(QFrame):
    """A full-window dim layer with one centred question and two answers.

    Kept inside the window rather than a QDialog: no new top-level window can appear over a
    frameless kiosk, and focus stays trapped in the question until it is answered.
    """

    answered = Signal(bool)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setProperty("role", "overlay")
        self.hide()
        outer = QVBoxLayout(self)
        box = QFrame(self)
        box.setProperty("role", "dialog")
        box.setAccessibleName("dialog")
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 18)  # wide enough for large text in either language
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.setSpacing(16)
        self.title = label("title", parent=box)
        self.body = label(parent=box)
        lay.addWidget(self.title)
        lay.addWidget(self.body)
        self.no = button("quiet", parent=box)
        self.yes = button("primary", parent=box)
        buttons = Reflow(spacing=12, parent=box)  # one under the other at large text sizes
        buttons.add(self.no)
        buttons.add_stretch()
        buttons.add(self.yes)
        lay.addWidget(buttons)
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        self._on_answer: Callable[[bool], None] | None = None

    def ask(
        self, title: str, body: str, yes: str, no: str, on_answer: Callable[[bool], None]
    ) -> None:
        set_text(self.title, title)
        set_text(self.body, body)
        set_text(self.yes, yes)
        set_text(self.no, no)
        self._on_answer = on_answer
        parent = self.parentWidget()
        assert parent is not None  # made with the window as its parent
        self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.no.setFocus(Qt.FocusReason.OtherFocusReason)  # the safe answer has focus

    def set_body(self, body: str) -> None:
        set_text(self.body, body)

    def _answer(self, yes: bool) -> None:
        self.hide()
        callback, self._on_answer = self._on_answer, None
        if callback:
            callback(yes)
        self.answered.emit(yes)

    def dismiss(self) -> None:
        self.hide()
        self._on_answer = None

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._answer(False)
            return
        super().keyPressEvent(event)


class PageCover:
    """While a layer (a question, the PIN pad, a staff screen) is open over a screen, the
    screen's widgets are hidden for real and ``host`` paints a picture of them instead.

    Dimming alone left every control behind the layer showing and pressable for a screen
    reader (Start under the PIN pad started a journey); Qt has no "hidden from assistive
    technology" flag. The host calls ``paint`` from its paintEvent.
    """

    def __init__(self, host: QWidget, content: QWidget):
        self.host = host
        self.content = content
        self._picture: QPixmap | None = None
        self._focus: QWidget | None = None

    def cover(self) -> None:
        if not self.content.isVisible():
            return
        from PySide6.QtWidgets import QApplication

        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self.content.isAncestorOf(focus) else None
        self._picture = self.content.grab()
        self.content.hide()
        self.host.update()

    def uncover(self) -> QWidget | None:
        """Show the widgets again; returns the one that had the focus before, to give it back
        (None if there was none, or if nothing was covered)."""
        if not self.content.isHidden():
            return None
        self.content.show()
        self._picture = None
        self.host.update()
        focus, self._focus = self._focus, None
        return focus

    def paint(self) -> None:
        if self._picture is not None:
            p = QPainter(self.host)
            p.drawPixmap(self.content.geometry().topLeft(), self._picture)
            p.end()


class Card(QPushButton):
    """A large toggle card with a title and a detail line that wrap.

    QPushButton never wraps its own text, so long French office names were cut off; the card
    draws two word-wrapped labels instead and reports their size to the layout.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # the layout gives it the height its wrapped text needs
        self.setSizePolicy(policy)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(6)
        self.title = label()
        self.title.setStyleSheet("font-weight: 600;")
        self.detail = label("help")
        for w in (self.title, self.detail):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            lay.addWidget(w)
        lay.addStretch(1)

    def set_texts(self, title: str, detail: str, state: str = "") -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.setAccessibleName(title)
        self.setAccessibleDescription(f"{detail}. {state}".strip() if state else detail)

    def sizeHint(self):
        return self.layout().sizeHint()

    def minimumSizeHint(self):
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        lay = self.layout()
        assert lay is not None  # set in __init__
        return lay.totalHeightForWidth(w)


class WrapCheck(QWidget):
    """A check box whose wording wraps; the wording is also its accessible name.

    Consent wording is long and must be read in full, so it cannot be cut off at the edge.
    """

    toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        from PySide6.QtWidgets import QCheckBox

        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(14)
        self.box = QCheckBox()
        self.box.toggled.connect(self.toggled)
        self.text = label()
        self.text.setBuddy(self.box)
        lay.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.text, 1)
        self.setFocusProxy(self.box)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # long consent wording wraps onto more lines
        self.setSizePolicy(policy)
        self.setMinimumHeight(48)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        lay = self.layout()
        assert lay is not None  # set in __init__
        return max(48, lay.totalHeightForWidth(w))

    def set_text(self, text: str) -> None:
        self.text.setText(text)
        self.box.setAccessibleName(text)

    def isChecked(self) -> bool:
        return self.box.isChecked()

    def setChecked(self, on: bool) -> None:
        self.box.setChecked(on)

    def set_quietly(self, on: bool) -> None:
        self.box.blockSignals(True)
        self.box.setChecked(on)
        self.box.blockSignals(False)

    def mousePressEvent(self, event) -> None:
        # Touching the wording ticks the box, as touching a label does on a phone.
        self.box.toggle()
        event.accept()


class Reflow(QWidget):
    """Children side by side when they fit, one under the other when they don't.

    Large text, French and portrait screens all make rows wider than the screen; instead of
    cutting words off, the row turns into a column.
    """

    def __init__(self, spacing: int = 16, parent: QWidget | None = None):
        from PySide6.QtWidgets import QBoxLayout

        super().__init__(parent)
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(spacing)
        self._items: list[tuple[QWidget, int]] = []
        self._trailing_stretch = False
        self._pending = False

    def add(self, widget: QWidget, stretch: int = 0) -> QWidget:
        self._box.addWidget(widget, stretch)
        self._items.append((widget, stretch))
        return widget

    def add_stretch(self) -> None:
        self._box.addStretch(1)
        self._trailing_stretch = True

    def row_width(self) -> int:
        """The width this needs to lay its children out side by side."""
        shown = [w for w, _ in self._items if not w.isHidden()]
        spacing = self._box.spacing() * max(0, len(shown) - 1)
        return sum(_needed_width(w) for w in shown) + spacing

    def sizeHint(self):
        # Prefer the width of a row, so a parent row gives this one room to be a row.
        hint = super().sizeHint()
        return hint.expandedTo(QSize(self.row_width(), 0)) if self.is_column else hint

    def _fits(self, width: int) -> bool:
        shown = [(w, s) for w, s in self._items if not w.isHidden()]
        if not shown:
            return True
        spacing = self._box.spacing() * (len(shown) - 1)
        total_stretch = sum(s for _, s in shown)
        if total_stretch:
            # Children without stretch keep their width; the others share what is left, and
            # every share must hold its content.
            free = width - spacing - sum(_needed_width(w) for w, s in shown if not s)
            return free >= 0 and all(
                _needed_width(w) <= free * s / total_stretch for w, s in shown if s)
        return self.row_width() <= width

    def _reflow(self, width: int) -> None:
        from PySide6.QtWidgets import QBoxLayout

        # Only on screen: a closed window's children may already be half torn down.
        if not self.isVisible():
            return
        direction = (QBoxLayout.Direction.LeftToRight if self._fits(width)
                     else QBoxLayout.Direction.TopToBottom)
        if self._box.direction() != direction:
            self._box.setDirection(direction)

    def event(self, event) -> bool:
        from PySide6.QtCore import QEvent, QTimer

        # A resize, new text (another language, a bigger size) or a new style changes what
        # fits. Text is measured on the next turn of the event loop, never in the middle of
        # a restyle (measuring then crashed Qt's font engine) or of a teardown; a timer tied
        # to ``self`` is dropped if this widget goes first.
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest,
                            QEvent.Type.StyleChange) and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self, self._deferred_reflow)
        return super().event(event)

    def _deferred_reflow(self) -> None:
        self._pending = False
        self._reflow(self.width())

    @property
    def is_column(self) -> bool:
        from PySide6.QtWidgets import QBoxLayout

        return self._box.direction() == QBoxLayout.Direction.TopToBottom


def _needed_width(w: QWidget) -> int:
    # A nested Reflow is asked for its width as a row, not as it happens to be laid out now,
    # or a row squeezed into a column would never get the room to become a row again.
    if isinstance(w, Reflow):
        return w.row_width()
    if isinstance(w, Card | QLabel) or (w.findChild(QLabel) is not None and not isinstance(
        w, QPushButton
    )):
        return max(w.minimumSizeHint().width(), _widest_text(w))
    return max(w.sizeHint().width(), _widest_text(w))


def _widest_text(w: QWidget) -> int:
    """The widest single-line control text inside ``w`` (buttons do not wrap)."""

    from shiboken6 import isValid

    widest = 0
    for b in [w, *w.findChildren(QPushButton)]:
        if isValid(b) and isinstance(b, QPushButton) and not isinstance(b, Card) and b.text():
            fm = b.fontMetrics()  # by value: font() is a reference a restyle can free
            widest = max(widest, max(fm.horizontalAdvance(t) for t in b.text().split("\n")) + 40)
    return widest


def make_page_scroller(page: QWidget):
    """A scroll area for one page that gives the page the height its wrapped text needs.

    QScrollArea sizes its widget from the layout's minimum size, which ignores wrapping; long
    wording at large text sizes was squeezed and cut off. After each relayout the page's
    minimum height is set from its height for the visible width.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QFrame, QScrollArea

    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(page)

    class Fitter(QObject):
        pending = False

        def eventFilter(self, obj, event) -> bool:
            if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize) and not (
                self.pending
            ):
                self.pending = True
                QTimer.singleShot(0, self, self.fit)
            return False

        def fit(self) -> None:
            self.pending = False
            lay = page.layout()
            width = area.viewport().width()
            if lay is None or width <= 0 or not page.isVisible():
                return
            need = (lay.totalHeightForWidth(width) if lay.hasHeightForWidth()
                    else lay.totalMinimumSize().height())
            if need != page.minimumHeight():
                page.setMinimumHeight(need)

    fitter = Fitter(area)
    page.installEventFilter(fitter)
    area.viewport().installEventFilter(fitter)
    return ScrollFrame(area)


class ScrollFrame(QWidget):
    """A scroll area beside a scroll bar of its own, as one block.

    Qt's accessible scroll area (QAccessibleAbstractScrollArea::child; Qt 6.10 and 6.11 at
    least) hands out child ``i`` without checking ``i`` against its list, and that list is
    the viewport plus each scroll bar *that is visible*. A page hidden by a step change, the
    on-screen keyboard taking room or a letter growing past its box changes the count between
    a screen reader's "how many children?" and "give me child i"; the stale index read past
    the list and the kiosk died with SIGSEGV in QAccessibleCache::idForObject (about one
    journey in eight under an AT-SPI reader). Here the area's own bars are always off, so
    its children never change; the bar a visitor sees and drags is this frame's, kept in step
    with the area's, and a plain widget checks the index it is given.
    """

    def __init__(self, area, parent: QWidget | None = None):
        from PySide6.QtWidgets import QScrollBar

        super().__init__(parent)
        self.area = area
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(area, 1)
        self.bar = QScrollBar(Qt.Orientation.Vertical)
        lay.addWidget(self.bar)
        inner = area.verticalScrollBar()
        inner.rangeChanged.connect(self._range)
        inner.valueChanged.connect(self.bar.setValue)
        self.bar.valueChanged.connect(inner.setValue)
        self._range(inner.minimum(), inner.maximum())

    def _range(self, low: int, high: int) -> None:
        inner = self.area.verticalScrollBar()
        self.bar.setRange(low, high)
        self.bar.setPageStep(inner.pageStep())
        self.bar.setSingleStep(inner.singleStep())
        self.bar.setValue(inner.value())
        # Always there (so nothing jumps sideways), drawn as nothing when there is
        # nothing to scroll.
        self.bar.setEnabled(high > low)

    def __getattr__(self, name: str):
        # Everything else a caller asks of a scroll area (viewport, verticalScrollBar,
        # ensureWidgetVisible...) is the area's.
        if name == "area":
            raise AttributeError(name)
        return getattr(self.area, name)


def steady_scroll_bars(root: QWidget) -> None:
    """Put every bare scroll area under ``root`` in a ScrollFrame (see there why)."""
    from PySide6.QtWidgets import QScrollArea

    for area in root.findChildren(QScrollArea):
        holder = area.parentWidget()
        if isinstance(holder, ScrollFrame) or holder is None or holder.layout() is None:
            continue
        # The frame takes the area's place in its layout (taking the area first would lose
        # the place), at start-up, before anyone reads the tree.
        placeholder = QWidget()
        lay = holder.layout()
        if lay is None or lay.replaceWidget(area, placeholder) is None:
            raise RuntimeError(f"scroll area outside a layout under {type(holder).__name__}")
        lay.replaceWidget(placeholder, ScrollFrame(area))
        # Hidden now: deleteLater waits for an event loop, and before exec() (tests, screen
        # renders) the empty placeholder stayed on top of the screen's title.
        placeholder.hide()
        placeholder.deleteLater()
