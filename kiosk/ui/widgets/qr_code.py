"""The QR code, drawn crisp at any size."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QSizePolicy,
    QWidget,
)


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
