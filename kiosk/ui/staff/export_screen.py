"""Where the export goes: staff pick a USB drive (or the kiosk's own folder) every time, then
confirm it by name and size. A visitor's stick plugged in beside theirs is listed too, so
nothing is ever written to a drive by being first.

The same screen chooses where anything else staff save goes (the envelopes' PDF): an
``Errand`` gives it that title, question and answer, so there is one way of choosing a drive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from kiosk.export_targets import ExportTarget, new_folder_name, size_text
from kiosk.ui.staff.screen import AskingScreen
from kiosk.ui.widgets import Card, Reflow, button, label, set_text

if TYPE_CHECKING:
    from kiosk.ui.services import Services


@dataclass(frozen=True)
class Errand:
    """What a drive is chosen for, other than the export; texts in the language on screen."""

    title: str
    question: Callable[[ExportTarget], str]  # "Save the PDF to KINGSTON (16 GB)?"
    body: Callable[[str], str]  # what the confirmation adds, given the new folder's name
    yes: str
    back: str  # where Back goes, for a screen reader
    chosen: Callable[[ExportTarget, str], None]  # the target confirmed, the new folder's name


class ExportScreen(AskingScreen):
    chosen = Signal(object, str)  # the ExportTarget confirmed, the new folder's name

    def __init__(self, services: Services, lang: Callable[[], str], parent: QWidget):
        super().__init__(services, lang, parent)
        self.content = QWidget()  # everything but the question: hidden while it is asked
        self.main.addWidget(self.content)
        lay = QVBoxLayout(self.content)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = label("title")
        self.help = label()
        lay.addWidget(self.title)
        lay.addWidget(self.help)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.list = QVBoxLayout(body)
        self.list.setSpacing(12)
        self.list.addStretch(1)
        scroll.setWidget(body)
        lay.addWidget(scroll, 1)
        row = Reflow(spacing=12)
        self.back = button("quiet")
        self.rescan = button()
        self.back.clicked.connect(self.close_screen)
        self.rescan.clicked.connect(self.refresh)
        row.add(self.back)
        row.add_stretch()
        row.add(self.rescan)
        lay.addWidget(row)
        self.ask_over(self.content)
        # Cards are kept and reused, never deleted while shown: a screen reader may be reading
        # one when staff press "Look again".
        self._pool: list[Card] = []
        self.cards: list[Card] = []
        self._targets: list[ExportTarget] = []
        self.errand: Errand | None = None

    def open_screen(self, errand: Errand | None = None) -> None:
        """Choose where the export goes, or (``errand``) something else staff save."""
        self.errand = errand
        set_text(self.title, errand.title if errand else self.t("staff.export_title"))
        set_text(self.back, self.t("common.back"),
                 errand.back if errand else self.t("staff.review_back"))
        set_text(self.rescan, self.t("staff.export_rescan"))
        self.refresh()
        self.cover_window()

    def close_screen(self) -> None:
        self.confirm.dismiss()
        self._uncover()
        self.hide()

    def refresh(self) -> None:
        self._targets = self.services.export_targets()
        drives = [t for t in self._targets if t.is_drive]
        set_text(self.help, self.t("staff.export_choose" if drives else "staff.export_no_drive"))
        while len(self._pool) < len(self._targets):
            self._add_card()
        self.cards = self._pool[:len(self._targets)]
        for card, target in zip(self.cards, self._targets, strict=True):
            card.set_texts(target.name(self._lang()), self._detail(target))
            card.setEnabled(target.writable)
            card.show()
        for card in self._pool[len(self._targets):]:
            card.hide()
        first = next((c for c in self.cards if c.isEnabled()), self.back)
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _add_card(self) -> None:
        card = Card()
        card.setCheckable(False)  # a choice to confirm, not a toggle
        card.setAutoDefault(True)  # Enter chooses the focused drive, as Space does
        index = len(self._pool)
        card.clicked.connect(lambda _=False, i=index: self._ask(self._targets[i]))
        self.list.insertWidget(index, card)
        self._pool.append(card)

    def _detail(self, target: ExportTarget) -> str:
        lang = self._lang()
        capacity = size_text(target.total_bytes, lang)
        if not target.is_drive:
            return self.t("staff.export_here_detail", path=target.path)
        if not target.writable:
            return self.t("staff.export_read_only", capacity=capacity)
        return self.t("staff.export_drive_detail", capacity=capacity,
                      space=size_text(target.free_bytes, lang))

    def _ask(self, target: ExportTarget) -> None:
        from kiosk.exports import FILES

        folder = new_folder_name()
        self._cover()

        def answer(yes: bool) -> None:
            if yes:
                self._chosen(target, folder)

        if self.errand is not None:
            self.confirm.ask(self.errand.question(target), self.errand.body(folder),
                             self.errand.yes, self.t("staff.cancel"), answer)
            return
        key = "staff.export_confirm_drive" if target.is_drive else "staff.export_confirm_here"
        self.confirm.ask(
            self.t(key, n=len(FILES), target=target.describe(self._lang())),
            self.t("staff.export_confirm_body", folder=folder),
            self.t("staff.export_yes"), self.t("staff.cancel"), answer,
        )

    def _chosen(self, target: ExportTarget, folder: str) -> None:
        self.hide()
        errand, self.errand = self.errand, None
        if errand is not None:
            errand.chosen(target, folder)
        else:
            self.chosen.emit(target, folder)

