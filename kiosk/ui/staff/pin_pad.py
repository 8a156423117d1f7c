"""The PIN pad: a full-window layer with big digits, usable by touch or keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import tr
from kiosk.ui.a11y import announce
from kiosk.ui.widgets import button, label, set_text

if TYPE_CHECKING:
    from kiosk.pin_gate import PinGate

# Try a PIN off the GUI thread: ``try_pin(pin, answer)``, then ``answer(accepted)`` on it
# (None when the try could not be recorded).
TryPin = Callable[[str, Callable[[bool | None], None]], None]


class PinPad(QFrame):
    accepted = Signal()

    def __init__(self, gate: PinGate, try_pin: TryPin, lang: Callable[[], str],
                 parent: QWidget):
        super().__init__(parent)
        self.gate = gate  # read here (tries left, lockout); a try goes through ``try_pin``
        self._try_pin = try_pin
        self.checking = False  # a try is being checked, off the GUI thread (keys at rest)
        self._lang = lang
        self.setProperty("role", "overlay")
        self.hide()
        self._digits = ""
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        box = QFrame()
        box.setProperty("role", "dialog")
        column.addWidget(box)
        column.addStretch(1)
        outer.addLayout(column)
        outer.addStretch(1)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(32, 24, 32, 24)
        self.title = label("title")
        self.message = label("help")
        self.dots = label("title", wrap=False)
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keep_room = self.dots.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # the pad does not jump at the first digit
        self.dots.setSizePolicy(keep_room)
        for w in (self.title, self.message, self.dots):
            lay.addWidget(w)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]):
            b = button("primary" if key == "ok" else "")
            b.setMinimumSize(96, 72)
            # Enter always means "open", whichever key has focus; Space presses a key.
            b.setAutoDefault(key == "ok")
            b.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        for col in range(3):
            grid.setColumnStretch(col, 1)
        lay.addLayout(grid)
        self.cancel = button("quiet")
        self.cancel.clicked.connect(self.close_pad)
        lay.addWidget(self.cancel)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._refresh_lock)

    def t(self, key: str, **values: object) -> str:
        return tr(key, self._lang(), **values)

    def open_pad(self) -> None:
        self._digits = ""
        self.retranslate()
        parent = self.parentWidget()
        assert parent is not None  # made with the window as its parent
        self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.keys["1"].setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.gate.pin_hash:
            set_text(self.message, self.t("staff.pin_not_set"))
        self._refresh_lock()
        announce(self, self.t("staff.pin_title"))

    def close_pad(self) -> None:
        self._digits = ""
        self.tick.stop()
        self.hide()

    def hideEvent(self, event) -> None:
        # Hidden with its window too (quitting): the countdown stops with it, before the
        # store that keeps the lockout is closed. (The first hide comes before the timer.)
        if hasattr(self, "tick"):
            self.tick.stop()
        super().hideEvent(event)

    def retranslate(self) -> None:
        set_text(self.title, self.t("staff.pin_title"))
        set_text(self.message, self.t("staff.pin_help"))
        for key in "0123456789":
            set_text(self.keys[key], key)
        set_text(self.keys["del"], "⌫", self.t("staff.pin_delete"))
        self.keys["del"].setAccessibleName(self.t("staff.pin_delete"))
        set_text(self.keys["ok"], self.t("staff.pin_ok"))
        set_text(self.cancel, self.t("staff.cancel"))
        self._show_dots()

    def _show_dots(self) -> None:
        # Dots only: the PIN itself is never on screen or in the accessibility tree.
        self.dots.setText("●" * len(self._digits) or " ")
        self.dots.setAccessibleName(self.t("staff.pin_digits", n=len(self._digits)))
        self.dots.setVisible(bool(self._digits))  # no blank for a screen reader to stop on

    def _refresh_lock(self) -> None:
        left = self.gate.seconds_locked()
        for b in self.keys.values():
            b.setEnabled(left == 0)
        if left:
            set_text(self.message, self.t("staff.pin_locked", n=left))
            self.tick.start()
        elif self.tick.isActive():
            self.tick.stop()
            set_text(self.message, self.t("staff.pin_help"))
            self.keys["1"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _press(self, key: str) -> None:
        if key == "del":
            self._digits = self._digits[:-1]
        elif key == "ok":
            self._submit()
            return
        elif len(self._digits) < 12:
            self._digits += key
        self._show_dots()

    def _submit(self) -> None:
        pin, self._digits = self._digits, ""
        self._show_dots()
        if self.checking:
            return
        if self.gate.seconds_locked():  # Enter during a lockout: nothing is tried or counted
            self._refresh_lock()
            return
        # Checking the hash takes a tenth of a second and the try is written to the store:
        # off the GUI thread, the keys resting until the answer comes.
        self._set_checking(True)
        self._try_pin(pin, self._answer)

    def _answer(self, accepted: bool | None) -> None:
        """The try's outcome on the GUI thread; None: it could not be recorded (logged)."""
        self._set_checking(False)
        if not self.isVisible():
            return  # closed meanwhile (the kiosk quitting): nothing to say
        if accepted:
            self.close_pad()
            self.accepted.emit()
            return
        if self.gate.seconds_locked():
            self._refresh_lock()
        else:
            set_text(self.message, self.t("staff.pin_wrong", left=self.gate.tries_left()))
        announce(self.message, self.message.text())

    def _set_checking(self, on: bool) -> None:
        self.checking = on
        for b in self.keys.values():
            b.setEnabled(not on)

    def keyPressEvent(self, event) -> None:
        key, text = event.key(), event.text()
        if (text.isdigit() and len(text) == 1 and not self.checking
                and self.gate.seconds_locked() == 0):
            self._press(text)
        elif key == Qt.Key.Key_Backspace:
            self._press("del")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._press("ok")
        elif key == Qt.Key.Key_Escape:
            self.close_pad()
        else:
            super().keyPressEvent(event)
