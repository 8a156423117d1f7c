"""The attract screen: what the campaign is about, one Start button, the language choice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from kiosk.domain.journey import Step
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.widgets import Reflow, button, label, set_checked_quietly, set_text

if TYPE_CHECKING:
    from kiosk.delivery.office_queue import OfficeStatus
    from kiosk.delivery.print_queue import QueueStatus


class AttractPage(Page):
    step = Step.ATTRACT
    top_bar = False  # its own language, text size and contrast buttons, larger

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        lay = self.layout_
        lay.setSpacing(28)
        lay.addStretch(2)
        self.hero = label("hero")
        self.hero.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pitch = label("pitch")
        self.pitch.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.urgency = label("help")
        self.urgency.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # "1,284 letters written today": the whole event's, with a hub that shows it.
        self.total = label("pitch")
        self.total.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.total.hide()
        self._total: int | None = None
        for w in (self.hero, self.pitch, self.urgency, self.total):
            lay.addWidget(w)
        lay.addSpacing(24)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start = button("big")
        self.start.clicked.connect(journey.start)
        row.addWidget(self.start)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addSpacing(12)
        choices = Reflow(spacing=12)
        self.lang_buttons: dict[str, QPushButton] = {}
        for code in self.campaign.languages:
            b = button("choice", checkable=True)
            b.toggled.connect(lambda on, c=code: self.journey.set_language(c) if on else None)
            choices.add(b)
            self.lang_buttons[code] = b
        self.size_button = button("choice")
        self.contrast_button = button("choice", checkable=True)
        host.display.add_buttons(self.size_button, self.contrast_button)
        choices.add(self.size_button)
        choices.add(self.contrast_button)
        langs = QHBoxLayout()
        langs.addStretch(1)
        langs.addWidget(choices)
        langs.addStretch(1)
        lay.addLayout(langs)
        self.alert = label("alert")
        self.alert.hide()
        lay.addStretch(3)
        lay.addWidget(self.alert, 0, Qt.AlignmentFlag.AlignHCenter)
        self._printer: QueueStatus | None = None
        self._office: OfficeStatus | None = None

    def heading(self) -> str:
        return self.campaign.campaign.title.get(self.lang)

    def retranslate(self) -> None:
        c = self.campaign.campaign
        set_text(self.hero, c.title.get(self.lang))
        set_text(self.pitch, c.pitch.get(self.lang))
        set_text(self.urgency, c.urgency.get(self.lang))
        set_text(self.start, self.t("attract.start"), self.t("attract.start_description"))
        for code, b in self.lang_buttons.items():
            set_text(b, self.t(f"attract.lang_{code}"))
            set_checked_quietly(b, code == self.lang)
            b.setAccessibleDescription(self.t("attract.choose_language"))
        self._show_printer()
        self._show_total()

    def event_total(self, letters: int) -> None:
        self._total = letters
        self._show_total()

    def _show_total(self) -> None:
        n = self._total
        if not n:  # none yet: nothing to boast of
            self.total.hide()
            return
        example = self.t("attract.thousand_example")  # "1,234", "1 234": what comes after the 1
        number = f"{n:,}".replace(",", example[1:-3])
        set_text(self.total, self.t("attract.event_total", n=n, number=number))
        self.total.show()

    def show_alert(self, text: str) -> None:
        """A line for staff (e.g. the printer needs paper); empty hides it."""
        set_text(self.alert, text)
        self.alert.setVisible(bool(text))

    def printer_changed(self, status: QueueStatus) -> None:
        self._printer = status
        self._show_printer()

    def office_changed(self, status: OfficeStatus) -> None:
        self._office = status
        self._show_printer()

    def _show_printer(self) -> None:
        """Staff see the printers' trouble here, between visitors."""
        alerts = [s.staff_alert(self.lang) for s in (self._printer, self._office)
                  if s is not None]
        self.show_alert("\n".join(a for a in alerts if a))

    def failsafe(self) -> None:
        self.show_alert(self.t("failsafe.message"))

    def first_focus(self):
        return self.start
