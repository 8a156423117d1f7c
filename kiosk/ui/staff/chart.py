"""A small horizontal bar chart: letters by recipient, readable at a glance."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.ui.theme import PALETTE


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple[str, int]]) -> None:
        self.rows = rows
        # A screen reader gets the same numbers as a sentence.
        self.setAccessibleDescription("; ".join(f"{name}: {n}" for name, n in rows))
        self.updateGeometry()
        self.update()

    def _row_height(self) -> float:
        return self.fontMetrics().lineSpacing() * 1.5

    def sizeHint(self) -> QSize:
        return QSize(400, int(self._row_height() * max(1, len(self.rows))) + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event) -> None:
        if not self.rows:
            return
        p = QPainter(self)
        fm = self.fontMetrics()
        rh = self._row_height()
        label_w = min(self.width() * 0.5, max(fm.horizontalAdvance(n) for n, _ in self.rows) + 12)
        count_w = fm.horizontalAdvance("00000")
        bar_w = max(10.0, self.width() - label_w - count_w - 12)
        top = max(n for _, n in self.rows) or 1
        for i, (name, n) in enumerate(self.rows):
            y = i * rh
            p.setPen(QColor(PALETTE.text))
            p.drawText(QRectF(0, y, label_w - 8, rh),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       fm.elidedText(name, Qt.TextElideMode.ElideRight, int(label_w - 8)))
            w = bar_w * n / top
            p.fillRect(QRectF(label_w, y + rh * 0.2, w, rh * 0.6), QColor(PALETTE.accent))
            p.drawText(QRectF(label_w + w + 8, y, count_w, rh), Qt.AlignmentFlag.AlignVCenter,
                       str(n))
        p.end()
