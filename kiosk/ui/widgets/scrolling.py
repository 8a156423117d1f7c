"""Pages that scroll, with a scroll bar that never changes a screen reader's count."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QWidget,
)


def make_page_scroller(page: QWidget) -> ScrollFrame:
    """A scroll area for one page that gives the page the height its wrapped text needs."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(page)
    fitter = PageFitter(page, area)
    page.installEventFilter(fitter)
    area.viewport().installEventFilter(fitter)
    return ScrollFrame(area)


class PageFitter(QObject):
    """QScrollArea sizes its widget from the layout's minimum size, which ignores wrapping; long
    wording at large text sizes was squeezed and cut off. After each relayout the page's
    minimum height is set from its height for the visible width."""

    def __init__(self, page: QWidget, area: QScrollArea):
        super().__init__(area)
        self.page = page
        self.area = area
        self.pending = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize) and not self.pending:
            self.pending = True
            QTimer.singleShot(0, self, self.fit)
        return False

    def fit(self) -> None:
        self.pending = False
        lay = self.page.layout()
        width = self.area.viewport().width()
        if lay is None or width <= 0 or not self.page.isVisible():
            return
        need = (lay.totalHeightForWidth(width) if lay.hasHeightForWidth()
                else lay.totalMinimumSize().height())
        if need != self.page.minimumHeight():
            self.page.setMinimumHeight(need)


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

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # A new height changes the area's page step, and so the handle's length, even when the
        # range happens to stay the same (no rangeChanged then): copy it once the area has
        # laid itself out for the new size.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self, self._sync_page)

    def _sync_page(self) -> None:
        inner = self.area.verticalScrollBar()
        if self.bar.pageStep() != inner.pageStep():
            self.bar.setPageStep(inner.pageStep())

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
