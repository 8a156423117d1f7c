"""Staff view of the two queues: every print job and email not yet done, with Retry and Cancel.

Finished items (printed, sent, cancelled) are left out: staff come here to fix what is stuck.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.app.outbox import OPEN as EMAIL_OPEN
from kiosk.app.printing import OPEN as PRINT_OPEN
from kiosk.i18n import tr
from kiosk.ui.staff.screen import StaffScreen
from kiosk.ui.widgets import Reflow, button, label, set_text

if TYPE_CHECKING:
    from kiosk.ui.services import Services


class QueueView(StaffScreen):
    def __init__(self, services: Services, lang: Callable[[], str], parent: QWidget):
        super().__init__(services, lang, parent)
        lay = self.main
        head = Reflow(spacing=12)
        self.title = label("title")
        self.back = button("primary")
        self.back.clicked.connect(self.hide)
        head.add(self.title, 1)
        head.add(self.back)
        lay.addWidget(head)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.rows = QVBoxLayout(self.body)
        self.rows.setSpacing(8)
        scroll.setWidget(self.body)
        lay.addWidget(scroll, 1)

    def open_view(self) -> None:
        set_text(self.title, self.t("staff.queues_title"))
        set_text(self.back, self.t("common.back"), self.t("staff.review_back"))
        self.refresh()
        self.cover_window()
        self.back.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item is not None and (w := item.widget()):
                w.deleteLater()
        lang = self._lang()
        names = {r.id: r.name.get(lang) for r in self.services.campaign.recipients}
        jobs = self.services.print_jobs(PRINT_OPEN)
        emails = self.services.emails(EMAIL_OPEN)
        if not jobs and not emails:
            empty = label("help")
            self.rows.addWidget(empty)
            set_text(empty, self.t("staff.queues_empty"))
        for job in jobs:
            text = self.t("staff.queue_print_row", id=job.id,
                          printer=tr(f"office.cli.device_{job.device}", lang),
                          state=tr(f"printing.job.{job.state}", lang),
                          recipient=names.get(job.recipient_id, job.recipient_id),
                          attempts=job.attempts)
            self._row(text, job.last_error or job.last_status or "",
                      lambda _=False, i=job.id: self._do(self.services.retry_print_job, i),
                      lambda _=False, i=job.id: self._do(self.services.cancel_print_job, i))
        for mail in emails:
            text = self.t("staff.queue_email_row", id=mail.id,
                          state=tr(f"email.state.{mail.state}", lang), to=mail.to_addr,
                          attempts=mail.attempts)
            self._row(text, mail.last_error or "",
                      lambda _=False, i=mail.id: self._do(self.services.retry_email, i),
                      lambda _=False, i=mail.id: self._do(self.services.cancel_email, i),
                      can_retry=mail.state in ("failed", "retry", "unknown"),
                      can_cancel=mail.state != "sending")
        self.rows.addStretch(1)

    def _row(self, text: str, detail: str, retry, cancel, *, can_retry: bool = True,
             can_cancel: bool = True) -> None:
        row = QFrame()
        row.setProperty("role", "panel")
        h = QHBoxLayout(row)
        words = QVBoxLayout()
        main = label()
        set_text(main, text)
        words.addWidget(main)
        if detail:
            small = label("help")
            set_text(small, detail)
            words.addWidget(small)
        h.addLayout(words, 1)
        actions = Reflow(spacing=8)
        for key, slot, enabled in (("staff.retry", retry, can_retry),
                                   ("staff.cancel_item", cancel, can_cancel)):
            b = button()
            set_text(b, self.t(key), text)
            b.clicked.connect(slot)
            b.setEnabled(enabled)
            actions.add(b)
        h.addWidget(actions)
        self.rows.addWidget(row)

    def _do(self, action: Callable[[int, Callable[[object], None]], None], item_id: int) -> None:
        # Done off the GUI thread; the rows are shown again once the store has the change.
        action(item_id, lambda _result: self.refresh() if self.isVisible() else None)
