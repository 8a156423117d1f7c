"""Envelopes and labels for the day's letters: staff choose envelopes (the campaign's paper's
kind) or a label sheet, see how many letters that is, then print on the office printer or
save the PDF where they choose (the export's drive list, ``ExportScreen`` with an ``Errand``).

Only letters printed on the receipt printer alone are addressed: a full page goes in a window
envelope that shows its address already (kiosk/app/envelopes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.ui.a11y import announce
from kiosk.ui.staff.screen import AskingScreen, show_line
from kiosk.ui.widgets import Card, Reflow, button, label, set_text

if TYPE_CHECKING:
    from kiosk.delivery.paper.geometry import Sheet
    from kiosk.export_targets import ExportTarget
    from kiosk.ui.services import Services
    from kiosk.ui.staff.export_screen import Errand

SHEETS: tuple[Sheet, ...] = ("avery5160", "l7160")


class EnvelopesScreen(AskingScreen):
    choose_drive = Signal(object)  # an Errand for the drive list: where the PDF is saved

    def __init__(self, services: Services, lang: Callable[[], str], parent: QWidget):
        super().__init__(services, lang, parent)
        self.office = services.campaign.office_printer
        self.content = QWidget()  # everything but the question: hidden while it is asked
        self.main.addWidget(self.content)
        lay = QVBoxLayout(self.content)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(12)
        self.title = label("title")
        self.count = label()
        self.choose = label()
        self.choose.setStyleSheet("font-weight: 600;")
        for w in (self.title, self.count, self.choose):
            lay.addWidget(w)
        # Three choices, one of them on: envelopes, or one of the two label sheets.
        self.kinds: dict[str, Card] = {}
        row = Reflow(spacing=12)
        for kind in (self.office.envelope, *SHEETS):
            card = Card()
            card.toggled.connect(lambda on, k=kind: self._pick(k) if on else self._keep(k))
            row.add(card, 1)
            self.kinds[kind] = card
        lay.addWidget(row)
        self.hint = label("help")
        lay.addWidget(self.hint)
        self.message = label("alert")
        self.message.hide()
        lay.addWidget(self.message)
        lay.addStretch(1)
        actions = Reflow(spacing=12)
        self.back = button("quiet")
        self.save = button()
        self.print = button("primary")
        self.back.clicked.connect(self.close_screen)
        self.save.clicked.connect(self._ask_drive)
        self.print.clicked.connect(self._ask_print)
        actions.add(self.back)
        actions.add_stretch()
        actions.add(self.save)
        actions.add(self.print)
        self.print.setVisible(self.office.enabled)
        lay.addWidget(actions)
        self.ask_over(self.content)
        self.kind: str = self.office.envelope  # "us10"/"dl", or a Sheet
        self.letters = self.left = 0
        self.busy = False

    # --- open / close --------------------------------------------------------------------------

    def open_screen(self) -> None:
        self.kind = self.office.envelope
        # Not busy = False: a print or a save still under way (the screen closed and opened
        # again meanwhile) keeps Print and Save off until it ends, so nothing goes twice.
        show_line(self.message, self.t("staff.envelopes_busy") if self.busy else "")
        set_text(self.title, self.t("staff.envelopes_title"))
        set_text(self.choose, self.t("staff.envelopes_choose"))
        set_text(self.back, self.t("common.back"), self.t("staff.review_back"))
        set_text(self.save, self.t("staff.envelopes_save"))
        set_text(self.print, self.t("staff.envelopes_print"))
        self.refresh()
        self.cover_window()
        self.kinds[self.kind].setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self, self.title.text())

    def close_screen(self) -> None:
        self.confirm.dismiss()
        self._uncover()
        self.hide()

    def refresh(self) -> None:
        """The day's numbers as the store has them now, and the choices' texts."""
        self.letters, self.left = self.services.envelope_count()
        lines = [self.t("staff.envelopes_count", n=self.letters) if self.letters
                 else self.t("staff.envelopes_none")]
        if self.left:
            lines.append(self.t("staff.envelopes_left", n=self.left))
        set_text(self.count, " ".join(lines))
        for kind, card in self.kinds.items():
            name = self.t(f"paper.kind_{kind}")  # lower case in French, for mid-sentence
            card.set_texts(name[:1].upper() + name[1:], self._detail(kind))
            card.blockSignals(True)  # showing the choice, not making it
            card.setChecked(kind == self.kind)
            card.blockSignals(False)
        self._show_hint()
        self._enable()

    def _detail(self, kind: str) -> str:
        from kiosk.delivery.paper.geometry import LABEL_SHEETS

        sheet = next((LABEL_SHEETS[s] for s in SHEETS if s == kind), None)
        if sheet is None:
            return self.t("staff.envelopes_envelope_detail")
        return self.t(f"staff.envelopes_sheet_{sheet.paper}", per_sheet=sheet.per_sheet,
                      n=-(-self.letters // sheet.per_sheet))

    def _show_hint(self) -> None:
        if not self.office.enabled:
            show_line(self.hint, self.t("staff.envelopes_no_office"))
        elif self.letters:
            show_line(self.hint, self._load_hint())
        else:
            show_line(self.hint, "")

    def _load_hint(self) -> str:
        """What to load first, as the command line says it (paper.load_*)."""
        from kiosk.delivery.paper.geometry import LABEL_SHEETS

        labels = self._labels()
        if labels is None:
            return self.t("paper.load_envelopes", kind=self._kind_text(), n=self.letters)
        sheets = -(-self.letters // LABEL_SHEETS[labels].per_sheet)
        return self.t("paper.load_labels", kind=self._kind_text(), n=sheets)

    def _enable(self) -> None:
        can = bool(self.letters) and not self.busy
        self.save.setEnabled(can)
        self.print.setEnabled(can)

    # --- choosing ------------------------------------------------------------------------------

    def _pick(self, kind: str) -> None:
        self.kind = kind
        for other, card in self.kinds.items():
            if other != kind:
                card.blockSignals(True)
                card.setChecked(False)
                card.blockSignals(False)
        self._show_hint()

    def _keep(self, kind: str) -> None:
        """The choice on cannot be turned off by itself: one kind is always chosen."""
        if kind == self.kind:
            card = self.kinds[kind]
            card.blockSignals(True)
            card.setChecked(True)
            card.blockSignals(False)

    def _labels(self) -> Sheet | None:
        return next((s for s in SHEETS if s == self.kind), None)

    def _kind_text(self) -> str:
        return self.t(f"paper.kind_{self.kind}")

    # --- printing ------------------------------------------------------------------------------

    def _ask_print(self) -> None:
        self._cover()
        self.confirm.ask(
            self.t("staff.envelopes_print_question", n=self.letters, kind=self._kind_text()),
            self.t("staff.envelopes_print_body", load=self._load_hint()),
            self.t("staff.envelopes_print_yes"), self.t("staff.cancel"),
            lambda yes: self._print() if yes else None)

    def _print(self) -> None:
        self._start(self.t("staff.envelopes_printing"))
        self.services.print_addresses(self._labels(), self._finished, self._lang())

    # --- saving --------------------------------------------------------------------------------

    def _ask_drive(self) -> None:
        from kiosk.ui.staff.export_screen import Errand

        kind = self._kind_text()

        def question(target: ExportTarget) -> str:
            if target.is_drive:
                return self.t("staff.envelopes_save_drive", kind=kind,
                              target=target.describe(self._lang()))
            return self.t("staff.envelopes_save_here", kind=kind)

        errand: Errand = Errand(
            title=self.t("staff.envelopes_save_title"), question=question,
            body=lambda folder: self.t("staff.envelopes_save_body", folder=folder),
            yes=self.t("staff.envelopes_save_yes"), back=self.t("staff.envelopes_back"),
            chosen=self._save)
        self.choose_drive.emit(errand)

    def _save(self, target: ExportTarget, folder: str) -> None:
        self._start(self.t("staff.envelopes_saving"))
        self.services.save_addresses(self._labels(), target, folder, self._finished,
                                     self._lang())

    # --- results -------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self.busy = True
        self._enable()
        self.say(text)

    def _finished(self, _ok: bool, message: str) -> None:
        self.busy = False
        if self.isVisible():
            self.refresh()  # a letter printed meanwhile is counted
            self.say(message)
            self.back.setFocus(Qt.FocusReason.OtherFocusReason)

    def say(self, text: str) -> None:
        show_line(self.message, text)
        announce(self.message, text)

