"""The review page's picture of a full-page letter: the very PDF the office printer will get,
drawn by Qt's PDF module (QtPdf renders with PDFium), a page under the other.

For a screen reader the picture is one image with the letter's words as its description: the
words are those of the receipt view beside it, which reads line by line.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy

GAP = 16  # px between pages
EDGE = QColor("#77747c")


def render_pdf(data: bytes, width: int) -> list[QImage]:
    """Each page of ``data`` as an image ``width`` px wide (heights as the paper's)."""
    doc = QPdfDocument()
    buf = QBuffer()
    buf.setData(QByteArray(data))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buf)
    pages = []
    for i in range(doc.pageCount()):
        size = doc.pagePointSize(i)
        height = round(width * size.height() / size.width()) if size.width() else width
        pages.append(doc.render(i, QSize(width, height)))
    doc.close()
    return pages


class FullPageView(QLabel):
    """The pages of one full letter, at ``width`` px, with a thin edge round each page."""

    def __init__(self, width: int = 560, parent=None):
        super().__init__(parent)
        self.page_width = width
        self.pages = 0
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)

    def set_pdf(self, data: bytes | None) -> None:
        """Show ``data``'s pages; None empties the view (and forgets the letter)."""
        if not data:
            self.pages = 0
            self.clear()
            # What a screen reader would still find of the last letter goes with it.
            self.setAccessibleName("")
            self.setAccessibleDescription("")
            self.setFixedSize(QSize(self.page_width, 0))
            return
        images = render_pdf(data, self.page_width)
        self.pages = len(images)
        height = sum(i.height() for i in images) + GAP * max(0, len(images) - 1)
        ratio = self.devicePixelRatioF() or 1.0
        canvas = QPixmap(round(self.page_width * ratio), round(height * ratio))
        canvas.setDevicePixelRatio(ratio)
        canvas.fill(Qt.GlobalColor.transparent)
        p = QPainter(canvas)
        y = 0
        for image in images:
            p.fillRect(0, y, image.width(), image.height(), Qt.GlobalColor.white)
            p.drawImage(0, y, image)
            p.setPen(EDGE)
            p.drawRect(0, y, image.width() - 1, image.height() - 1)
            y += image.height() + GAP
        p.end()
        self.setPixmap(canvas)
        self.setFixedSize(QSize(self.page_width, height))
