"""Review mode: staff read each held email and approve or reject it, one at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from kiosk.ui.staff.screen import StaffScreen, show_line
from kiosk.ui.widgets import Reflow, button, label, set_text

if TYPE_CHECKING:
    from kiosk.store.outbox import OutboxItem
    from kiosk.ui.services import Services


class HeldReview(StaffScreen):
    def __init__(self, services: Services, lang: Callable[[], str], parent: QWidget):
        super().__init__(services, lang, parent)
        lay = self.main
        self.title = label("title")
        self.where = label("help")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)
        self.text.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        lay.addWidget(self.title)
        lay.addWidget(self.where)
        lay.addWidget(self.text, 1)
        row = Reflow(spacing=12)
        self.back = button("quiet")
        self.reject = button()
        self.approve = button("primary")
        self.back.clicked.connect(self.hide)
        self.reject.clicked.connect(lambda: self._decide(False))
        self.approve.clicked.connect(lambda: self._decide(True))
        row.add(self.back)
        row.add_stretch()
        row.add(self.reject)
        row.add(self.approve)
        lay.addWidget(row)
        self._current: OutboxItem | None = None

    def open_review(self) -> None:
        set_text(self.back, self.t("common.back"), self.t("staff.review_back"))
        set_text(self.reject, self.t("staff.review_reject"))
        set_text(self.approve, self.t("staff.review_approve"))
        self.cover_window()
        self._next()

    def _next(self) -> None:
        self.text.setAccessibleName(self.t("staff.review_letter"))
        held = self.services.held_emails()
        self._current = held[0] if held else None
        if self._current is None:
            set_text(self.title, self.t("staff.review_none"))
            show_line(self.where, "")
            self.text.clear()
            self.approve.setEnabled(False)
            self.reject.setEnabled(False)
            self.back.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        item = self._current
        set_text(self.title, self.t("staff.review_title", n=len(held)))
        show_line(self.where, f"{item.to_addr} — {item.subject}")
        self.text.setPlainText(item.full_text)  # the letter as the email will carry it
        self.text.setAccessibleName(self.t("staff.review_letter"))
        self.approve.setEnabled(True)
        self.reject.setEnabled(True)
        self.approve.setFocus(Qt.FocusReason.OtherFocusReason)

    def _decide(self, approve: bool) -> None:
        if self._current is None:
            return
        # Off the GUI thread; both buttons wait for it, so a second tap cannot decide twice.
        self.approve.setEnabled(False)
        self.reject.setEnabled(False)
        decide = self.services.release_email if approve else self.services.cancel_email
        decide(self._current.id, lambda _result: self._next())
