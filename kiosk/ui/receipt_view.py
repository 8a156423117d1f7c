"""The review page's picture of the printed letter, drawn from the very lines that print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QSizePolicy

from kiosk.domain.drawing import FRAME_WIDTH
from kiosk.ui.theme import RECEIPT_RING

if TYPE_CHECKING:
    from kiosk.delivery.receipt import PreviewLine

PAPER = QColor("#ffffff")
INK = QColor("#111111")
EDGE = QColor("#77747c")


class ReceiptView(QPlainTextEdit):
    """A strip of receipt paper. Each line is drawn in a monospace font sized so that the
    printer's columns span the paper exactly, so wrapping looks as it will on paper.

    It is a read-only text box underneath: a screen reader gets the letter as text it can
    read line by line (a drawn picture with a description could only be read in one go),
    while the eye gets the drawing.
    """

    def __init__(self, lines: list[PreviewLine], paper_px: int = 560, parent=None):
        super().__init__(parent)
        self.setProperty("role", "receipt")
        self.paper_px = paper_px
        self.margin = 24
        self.setReadOnly(True)
        # A caret that moves by keyboard (how a screen reader walks the lines), never drawn.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setCursorWidth(0)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._qr_cache: dict[str, list[list[bool]]] = {}
        self._drawings: dict[bytes, QImage] = {}
        self._fonts: dict[tuple[int, bool], QFont] = {}
        self.set_lines(lines)

    def set_lines(self, lines: list[PreviewLine]) -> None:
        self.lines = lines
        # Only this letter's drawing is kept: the next visitor's preview holds nothing of it.
        self._drawings = {line.image: self._drawings.get(line.image) or QImage.fromData(line.image)
                          for line in lines if line.style == "drawing" and line.image}
        self._heights = [self._line_height(line) for line in lines]  # measured once
        text = self.plain_text()
        if self.toPlainText() != text:
            self.setPlainText(text)
        self.updateGeometry()
        self.viewport().update()

    def plain_text(self) -> str:
        return "\n".join(line.text for line in self.lines if line.style not in ("qr", "cut"))

    def _font(self, columns: int, bold: bool = False) -> QFont:
        key = (columns, bold)
        if key not in self._fonts:
            self._fonts[key] = self._make_font(columns, bold)
        return self._fonts[key]

    def _make_font(self, columns: int, bold: bool) -> QFont:
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setBold(bold)
        inner = self.paper_px - 2 * self.margin
        font.setPixelSize(100)
        advance = QFontMetricsF(font).horizontalAdvance("M") or 60.0
        font.setPixelSize(max(6, int(100 * inner / (advance * columns))))
        return font

    def _line_height(self, line: PreviewLine) -> float:
        if line.style == "qr":
            return self.paper_px * 0.45 + 8
        if line.style == "cut":
            return 28
        if line.style == "drawing":
            image = self._drawings.get(line.image or b"")
            if image is None or image.isNull():
                return 0
            # As on paper: the drawing's frame spans the paper's printable width.
            return image.height() * self._drawing_scale() + 8
        font = self._font(line.width, line.style in ("title", "bold"))
        return QFontMetricsF(font).lineSpacing() * (1.6 if line.style == "title" else 1.0)

    def _drawing_scale(self) -> float:
        return (self.paper_px - 2 * self.margin) / FRAME_WIDTH

    def sizeHint(self) -> QSize:
        h = sum(self._heights) + 2 * self.margin
        return QSize(self.paper_px + 2 * RECEIPT_RING, int(h) + 1 + 2 * RECEIPT_RING)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def wheelEvent(self, event) -> None:
        event.ignore()  # the page scrolls, not this box (it is as tall as its paper)

    def paintEvent(self, _event) -> None:
        # The text box's own text is not drawn: the paper below is what prints.
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        paper = self.viewport().rect()
        p.fillRect(paper, PAPER)
        p.setPen(QPen(EDGE, 1))
        p.drawRect(paper.adjusted(0, 0, -1, -1))
        inner = self.paper_px - 2 * self.margin
        y = float(self.margin)
        for line, h in zip(self.lines, self._heights, strict=True):
            if line.style == "qr":
                self._draw_qr(p, line.text, (self.paper_px - h + 8) / 2, y, h - 8)
            elif line.style == "drawing":
                image = self._drawings.get(line.image or b"")
                if image is not None and not image.isNull():
                    scale = self._drawing_scale()
                    p.drawImage(QRectF(self.margin, y + 4, image.width() * scale,
                                       image.height() * scale), image)
            elif line.style == "cut":
                p.setPen(QPen(EDGE, 2, Qt.PenStyle.DashLine))
                p.drawLine(0, int(y + h / 2), paper.width(), int(y + h / 2))
            else:
                p.setPen(INK)
                p.setFont(self._font(line.width, line.style in ("title", "bold")))
                align = Qt.AlignmentFlag.AlignHCenter if line.align == "center" else (
                    Qt.AlignmentFlag.AlignLeft)
                p.drawText(QRectF(self.margin, y, inner, h),
                           align | Qt.AlignmentFlag.AlignVCenter, line.text)
            y += h
        p.end()

    def _draw_qr(self, p: QPainter, data: str, x: float, y: float, side: float) -> None:
        from kiosk.delivery.qr import qr_matrix

        matrix = self._qr_cache.get(data) or self._qr_cache.setdefault(data, qr_matrix(data))
        cell = side / len(matrix)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    p.fillRect(QRectF(x + c * cell, y + r * cell, cell + 0.5, cell + 0.5), INK)
