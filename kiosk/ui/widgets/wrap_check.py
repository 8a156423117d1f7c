"""A check box whose wording wraps."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QWidget,
)

from kiosk.ui.widgets.text import label


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
