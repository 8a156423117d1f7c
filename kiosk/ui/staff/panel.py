"""The staff panel: health of the printer and the outbox, the queues, the day's numbers.

It covers the whole window while open and locks itself after two minutes without a touch.
Every action goes through ``StaffActions`` so it is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import tr
from kiosk.ui.a11y import announce
from kiosk.ui.staff.chart import BarChart
from kiosk.ui.staff.screen import StaffScreen, show_line
from kiosk.ui.widgets import Reflow, button, label, set_checked_quietly, set_text

if TYPE_CHECKING:
    from kiosk.app.hub import EventView
    from kiosk.export_targets import ExportTarget
    from kiosk.store.stats import Counts
    from kiosk.ui.services import Services

AUTO_LOCK_MS = 2 * 60 * 1000


class StaffPanel(StaffScreen):
    locked = Signal()
    reset_requested = Signal()
    quit_requested = Signal()
    language_requested = Signal(str)
    review_requested = Signal()
    queues_requested = Signal()
    export_requested = Signal()
    envelopes_requested = Signal()

    def __init__(self, services: Services, lang: Callable[[], str], parent: QWidget):
        super().__init__(services, lang, parent)
        outer = self.main
        head = Reflow(spacing=12)
        self.title = label("title")
        self.lock = button("primary")
        self.lock.clicked.connect(self.close_panel)
        head.add(self.title, 1)
        head.add(self.lock)
        outer.addWidget(head)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        lay = QVBoxLayout(body)
        lay.setSpacing(12)

        status = QHBoxLayout()
        self.printer_box, self.printer_lines = self._status_box()
        self.email_box, self.email_lines = self._status_box()
        # The event's hub, when the campaign has one: this kiosk's link to it.
        self.hub_box, self.hub_lines = self._status_box()
        self.has_hub = services.campaign.hub.enabled
        self.hub_box.setVisible(self.has_hub)
        # The office printer (full letters through CUPS), when the campaign has one.
        self.office_box, self.office_lines = self._status_box()
        self.office_box.setVisible(services.campaign.office_printer.enabled)
        status.addWidget(self.printer_box)
        status.addWidget(self.office_box)
        status.addWidget(self.email_box)
        status.addWidget(self.hub_box)
        lay.addLayout(status)

        self.message = label("alert")
        self.message.hide()
        lay.addWidget(self.message)

        self.actions_title = label()
        self.actions_title.setStyleSheet("font-weight: 600;")
        lay.addWidget(self.actions_title)
        self.buttons: dict[str, QPushButton] = {}
        row: Reflow | None = None
        for i, key in enumerate(
            ["reset_session", "test_print", "queues", "retry_print", "retry_email", "review_held",
             "export", "envelopes", "quit"]
        ):
            if row is None or i % 2 == 0:  # two a row, or one under the other when text is large
                row = Reflow(spacing=10)
                lay.addWidget(row)
            b = button()
            b.clicked.connect(lambda _=False, k=key: self._act(k))
            row.add(b, 1)
            self.buttons[key] = b

        langs = Reflow(spacing=10)
        self.lang_title = label(wrap=False)
        langs.add(self.lang_title)
        self.lang_buttons: dict[str, QPushButton] = {}
        for code in services.campaign.languages:
            b = button("choice", checkable=True)
            b.toggled.connect(lambda on, c=code: self._set_language(c) if on else None)
            langs.add(b)
            self.lang_buttons[code] = b
        langs.add_stretch()
        lay.addWidget(langs)

        counts_row = Reflow(spacing=10)
        self.counts_title = label(wrap=False)
        self.counts_title.setStyleSheet("font-weight: 600;")
        self.today = button("choice", checkable=True)
        self.all_time = button("choice", checkable=True)
        self.today.setChecked(True)
        self.today.toggled.connect(lambda on: self._period(today=True) if on else None)
        self.all_time.toggled.connect(lambda on: self._period(today=False) if on else None)
        counts_row.add(self.counts_title)
        counts_row.add(self.today)
        counts_row.add(self.all_time)
        # With a hub: the whole event's counts (the default), or this kiosk's own.
        self.whole_event = button("choice", checkable=True)
        self.this_kiosk = button("choice", checkable=True)
        self.whole_event.setChecked(self.has_hub)
        self.this_kiosk.setChecked(not self.has_hub)
        self.whole_event.toggled.connect(lambda on: self._scope(event=True) if on else None)
        self.this_kiosk.toggled.connect(lambda on: self._scope(event=False) if on else None)
        counts_row.add_stretch()
        lay.addWidget(counts_row)
        scope_row = Reflow(spacing=10)  # a choice of its own, apart from the period
        self.scope_title = label(wrap=False)
        scope_row.add(self.scope_title)
        scope_row.add(self.whole_event)
        scope_row.add(self.this_kiosk)
        scope_row.add_stretch()
        scope_row.setVisible(self.has_hub)
        lay.addWidget(scope_row)
        self.totals = label()
        lay.addWidget(self.totals)
        self.chart = BarChart()
        lay.addWidget(self.chart)
        self.kiosks = label()  # the kiosks the hub has seen, one a line
        self.kiosks.hide()
        lay.addWidget(self.kiosks)
        lay.addStretch(1)
        if self.has_hub:
            services.hub_changed.connect(lambda _s: self._show_hub() if self.isVisible() else None)
            services.event_changed.connect(
                lambda: self._show_counts() if self.isVisible() else None)

        self.auto_lock = QTimer(self)
        self.auto_lock.setSingleShot(True)
        self.auto_lock.setInterval(AUTO_LOCK_MS)
        self.auto_lock.timeout.connect(self.close_panel)

    def _status_box(self) -> tuple[QFrame, list]:
        box = QFrame()
        box.setProperty("role", "panel")
        v = QVBoxLayout(box)
        lines = [label() for _ in range(4)]
        lines[0].setStyleSheet("font-weight: 600;")
        for w in lines:
            v.addWidget(w)
        return box, lines

    # --- open / close --------------------------------------------------------------------------

    def open_panel(self) -> None:
        self.retranslate()
        self.refresh()
        self.cover_window()
        self.lock.setFocus(Qt.FocusReason.OtherFocusReason)
        self.auto_lock.start()
        announce(self, self.t("staff.title"))

    def close_panel(self) -> None:
        if self.isVisible():
            self.auto_lock.stop()
            set_text(self.message, "")
            self.message.hide()
            self.hide()
            self.locked.emit()

    def hideEvent(self, event) -> None:
        # Hidden with its window too (quitting): no lock two minutes later, when the store it
        # writes the lock to is closed. (The first hide comes before the timer exists.)
        if hasattr(self, "auto_lock"):
            self.auto_lock.stop()
        super().hideEvent(event)

    def poke(self) -> None:
        if self.isVisible():
            self.auto_lock.start()

    # --- content -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        set_text(self.title, self.t("staff.title"))
        set_text(self.lock, self.t("staff.lock"))
        set_text(self.actions_title, self.t("staff.actions"))
        for key, b in self.buttons.items():
            if key == "export":
                set_text(b, self.t("exports.button"))
            elif key != "review_held":
                set_text(b, self.t(f"staff.{key}"))
        set_text(self.lang_title, self.t("staff.kiosk_language"))
        for code, b in self.lang_buttons.items():
            set_text(b, tr(f"attract.lang_{code}", self._lang()))
        set_text(self.counts_title, self.t("staff.counts"))
        set_text(self.today, self.t("staff.today"))
        set_text(self.all_time, self.t("staff.all_time"))
        set_text(self.scope_title, self.t("staff.scope"))
        set_text(self.whole_event, self.t("staff.whole_event"))
        set_text(self.this_kiosk, self.t("staff.this_kiosk"))

    def refresh(self) -> None:
        lang = self._lang()
        ps = self.services.printer_status()
        printer = [self.t("staff.printer"), self.t("staff.not_started"), "", ""]
        if ps is not None:
            detail = ps.printer.detail if ps.printer.needs_staff else ""
            printer[1:] = [ps.printer.label(lang),
                           self.t("staff.queue_print", queued=ps.queued, printed=ps.printed),
                           self.t("staff.last_error", error=detail) if detail else ""]
        os_ = self.services.outbox_status()
        email = [self.t("staff.email"), self.t("staff.not_started"), "", ""]
        # Counted from the store, not the worker: the truth even before the worker's first round.
        held = len(self.services.held_emails())
        if os_ is not None:
            c = os_.counts
            email[1:] = [tr(f"email.status.{os_.server}", lang, error=os_.last_error or ""),
                         self.t("staff.queue_email", queued=c.queued, held=c.held,
                                failed=c.failed, sent=c.sent),
                         self.t("staff.last_error", error=os_.last_error)
                         if os_.last_error else ""]
        for lines, texts in ((self.printer_lines, printer), (self.email_lines, email)):
            for line, text in zip(lines, texts, strict=True):
                show_line(line, text)
        self._show_hub()
        self._show_office(lang)
        set_text(self.buttons["review_held"], self.t("staff.review_held", n=held))
        self.buttons["review_held"].setEnabled(held > 0)
        for code, b in self.lang_buttons.items():
            set_checked_quietly(b, code == self.services.default_language())
        self._show_counts()

    def _show_office(self, lang: str) -> None:
        if not self.office_box.isVisibleTo(self):
            return
        st = self.services.office_status()
        texts = [self.t("staff.office"), self.t("staff.not_started"), "", ""]
        if st is not None:
            texts[1:] = [st.label(lang),
                         self.t("staff.queue_print", queued=st.queued, printed=st.printed),
                         st.staff_message(lang) if st.needs_staff else ""]
        for line, text in zip(self.office_lines, texts, strict=True):
            show_line(line, text)

    def _show_hub(self) -> None:
        if not self.has_hub:
            return
        h = self.services.hub_status()
        texts = [self.t("staff.hub"), self.t(f"staff.hub_state.{h.state}"),
                 self.t("staff.hub_waiting", n=h.waiting),
                 self.t("staff.last_error", error=h.detail) if h.detail else ""]
        for line, text in zip(self.hub_lines, texts, strict=True):
            show_line(line, text)

    def _show_counts(self) -> None:
        today = self.today.isChecked()
        if self.has_hub and self.whole_event.isChecked():
            # Asked of the hub off the GUI thread; shown when it answers.
            self.services.event_view(today, lambda view: self._show_event(view, today))
            return
        self.kiosks.hide()
        self._draw_counts(self.services.counts(today=today))

    def _show_event(self, view: EventView | None, today: bool) -> None:
        if not (self.whole_event.isChecked() and self.today.isChecked() == today):
            return  # staff changed their choice meanwhile: that answer is on its way
        if view is None:
            set_text(self.totals, self.t("staff.event_unavailable"))
            self.chart.set_rows([])
            self.kiosks.hide()
            return
        self._draw_counts(view.counts)
        lines = [self.t("staff.kiosk_line", name=k.name, ago=self._ago(k.seconds_ago),
                        n=k.not_uploaded, printer=self._printer_word(k.printer))
                 for k in view.kiosks]
        show_line(self.kiosks, "\n".join([self.t("staff.kiosks_seen"), *lines]))

    def _printer_word(self, kind: str) -> str:
        """Another kiosk's printer, as it told the hub (a kiosk of another version may say
        something this one does not know: "not answering" then)."""
        from kiosk.delivery.printer import StatusKind

        if not kind:
            return self.t("staff.no_printer")
        known = kind in {k.value for k in StatusKind}
        return tr(f"printing.status.{kind if known else 'unknown'}", self._lang())

    def _ago(self, seconds: float) -> str:
        if seconds < 90:
            return self.t("staff.seconds_ago", n=max(0, round(seconds)))
        if seconds < 5400:
            return self.t("staff.minutes_ago", n=round(seconds / 60))
        return self.t("staff.hours_ago", n=round(seconds / 3600))

    def _draw_counts(self, c: Counts) -> None:
        set_text(self.totals, "\n".join([
            self.t("staff.letters_total", letters=c.letters, visitors=c.visitors),
            self.t("staff.by_channel", print=c.by_channel.get("print", 0),
                   email=c.by_channel.get("email", 0)),
            "   ".join(self.t("staff.by_language", name=self.t(f"attract.lang_{code}"),
                              n=c.by_language.get(code, 0))
                       for code in self.services.campaign.languages),
        ]))
        lang = self._lang()
        campaign = self.services.campaign
        self.chart.set_rows([(r.name.get(lang), c.by_recipient.get(r.id, 0))
                             for r in campaign.recipients])
        self.chart.setAccessibleName(self.t("staff.chart_name"))

    def _scope(self, *, event: bool) -> None:
        set_checked_quietly(self.whole_event, event)
        set_checked_quietly(self.this_kiosk, not event)
        self._show_counts()

    def _period(self, *, today: bool) -> None:
        set_checked_quietly(self.today, today)
        set_checked_quietly(self.all_time, not today)
        self._show_counts()

    def say(self, text: str) -> None:
        set_text(self.message, text)
        self.message.setVisible(bool(text))
        announce(self.message, text)

    # --- actions -------------------------------------------------------------------------------

    def run_export(self, target: ExportTarget, folder: str) -> None:
        """Export into the new ``folder`` on the ``target`` staff chose and confirmed."""
        self.say(self.t("staff.export_started"))
        self.services.export(target, folder, lambda ok, message: self.say(message), self._lang())

    def _set_language(self, code: str) -> None:
        self.language_requested.emit(code)
        self.refresh()

    def _act(self, key: str) -> None:
        self.poke()
        if key == "reset_session":
            self.reset_requested.emit()
            self.say(self.t("staff.reset_done"))
        elif key == "quit":
            self.quit_requested.emit()
        elif key == "review_held":
            self.review_requested.emit()
        elif key == "queues":
            self.queues_requested.emit()
        elif key == "test_print":
            self.say(self.t("staff.test_print_started"))
            self.services.test_print(lambda ok, message: self.say(message), self._lang())
        elif key == "export":
            self.export_requested.emit()  # staff choose the drive first: never the first one
        elif key == "envelopes":
            self.envelopes_requested.emit()
        elif key == "retry_print":
            self.services.retry_print_jobs(lambda n: self._done("staff.retry_print_done", n))
        elif key == "retry_email":
            self.services.retry_failed_emails(lambda n: self._done("staff.retry_email_done", n))
        self.refresh()

    def _done(self, key: str, n: int) -> None:
        """A staff action finished off the GUI thread: say so and show the queues as they are."""
        self.say(self.t(key, n=n))
        self.refresh()
