"""Step 3: sign. Full name, first name only or anonymous; optional place and email; and, for a
named letter, a signature drawn on a pad if the visitor wants one (the typed name is the
signature: the pad is never needed)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from kiosk.domain.journey import Step
from kiosk.domain.letter import SignMode
from kiosk.domain.text_rules import (
    CITY_MAX,
    EMAIL_MAX,
    NAME_MAX,
    POSTAL_MAX,
    format_postal_code,
)
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.widgets import (
    Reflow,
    SignaturePad,
    WrapCheck,
    button,
    label,
    set_checked_quietly,
    set_text,
)

_H = Qt.InputMethodHint
# Each field asks the on-screen keyboard for the keys it needs. Names and places start with a
# capital by themselves (no hint needed); nothing a visitor types about themselves is predicted.
_FIELDS = {  # session field -> (catalog key, max length, input hints)
    "first_name": ("sign.first_name", NAME_MAX, _H.ImhNoPredictiveText),
    "last_name": ("sign.last_name", NAME_MAX, _H.ImhNoPredictiveText),
    "city": ("sign.city", CITY_MAX, _H.ImhNoPredictiveText),
    # Capitals and digits (A1A 1A1); the kiosk's layouts add a row of digits for these hints.
    "postal_code": ("sign.postal_code", POSTAL_MAX,
                    _H.ImhUppercaseOnly | _H.ImhNoAutoUppercase | _H.ImhNoPredictiveText
                    | _H.ImhLatinOnly),
    "email": ("sign.email", EMAIL_MAX,
              _H.ImhEmailCharactersOnly | _H.ImhNoAutoUppercase | _H.ImhNoPredictiveText
              | _H.ImhPreferLowercase),
}


class PostalCodeLayout(QValidator):
    """Shows a Canadian code as A1A 1A1 while it is typed or pasted (any code is accepted:
    visitors come from elsewhere too). A validator, so the field, its undo history and the
    session all see the laid-out text; the caret stays after the character it followed."""

    def validate(self, text: str, pos: int):
        laid_out = format_postal_code(text)
        if laid_out != text:
            kept = sum(ch.isalnum() for ch in text[:pos])
            pos = 0
            while kept and pos < len(laid_out):
                kept -= laid_out[pos].isalnum()
                pos += 1
        return QValidator.State.Acceptable, laid_out, pos


class SignPage(Page):
    step = Step.SIGN
    title_key = "sign.title"
    help_key = "sign.help"

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        modes = Reflow(spacing=10)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[SignMode, QPushButton] = {}
        for mode in SignMode:
            b = button("choice", checkable=True)
            b.setAutoExclusive(True)  # one of three: a radio button to assistive technology
            b.toggled.connect(lambda on, m=mode: self._set_mode(m) if on else None)
            self.mode_group.addButton(b)
            modes.add(b)
            self.mode_buttons[mode] = b
        modes.add_stretch()
        self.layout_.addWidget(modes)

        # Labels sit above their fields: long French labels never squeeze the fields.
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        self.edits: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        # Rows 2 and 3, under the name, are the drawn signature's.
        places = {"first_name": (0, 0, 1), "last_name": (0, 1, 1), "city": (4, 0, 1),
                  "postal_code": (4, 1, 1), "email": (6, 0, 2)}
        for field, (_key, max_len, hints) in _FIELDS.items():
            edit = QLineEdit()
            edit.setMaxLength(max_len)
            edit.setInputMethodHints(hints)
            edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            # textChanged, not textEdited: text put in by assistive technology counts too.
            edit.textChanged.connect(lambda text, f=field: self._edited(f, text))
            if field == "postal_code":
                edit.setValidator(PostalCodeLayout(edit))
            lab = label()  # wraps: two long French labels side by side fit a portrait screen
            lab.setBuddy(edit)
            row, col, span = places[field]
            grid.addWidget(lab, row, col, 1, span)
            grid.addWidget(edit, row + 1, col, 1, span)
            self.edits[field] = edit
            self.labels[field] = lab
            if field == "last_name":
                # Made here, after the name and before the place, so that Tab (creation order:
                # no setTabOrder, which a page made after the window's bars would undo) goes
                # name, drawing, place. A check box: drawing is a choice, off until the
                # visitor makes it, and the pad it opens is never in anyone's way.
                self.draw_toggle = WrapCheck()
                self.draw_toggle.toggled.connect(self._draw_toggled)
                self.pad = SignaturePad()
                self.pad.changed.connect(self._drawn)
                self.pad.hide()
                grid.addWidget(self.draw_toggle, 2, 0, 1, 2)
                grid.addWidget(self.pad, 3, 0, 1, 2)
        self._drawn_for = ""  # the session the pad's strokes belong to
        self.send_copy = WrapCheck()
        self.send_copy.toggled.connect(lambda on: self.journey.update(send_copy=on))
        self.opt_in = WrapCheck()
        self.opt_in.toggled.connect(lambda on: self.journey.update(opt_in=on))
        grid.addWidget(self.send_copy, 9, 0, 1, 2)
        grid.addWidget(self.opt_in, 10, 0, 1, 2)
        self.layout_.addLayout(grid)
        self.anonymous_note = label("help")
        self.layout_.addWidget(self.anonymous_note)
        self.layout_.addStretch(1)

    def _set_mode(self, mode: SignMode) -> None:
        self.journey.update(sign_mode=mode)
        self._show_fields()

    def _edited(self, field: str, text: str) -> None:
        self.journey.update(**{field: text})
        if field == "email":
            self._show_fields()

    def _draw_toggled(self, on: bool) -> None:
        # Untoggled, the strokes stay on the pad (toggling back brings them back) but the
        # letter no longer carries them.
        self.journey.update(drawing=self.pad.png() if on else None)
        self._show_fields()
        if on:
            QTimer.singleShot(0, self, self._scroll_to_pad)

    def _drawn(self) -> None:
        self._drawn_for = self.journey.session.id
        self.journey.update(drawing=self.pad.png())

    def _scroll_to_pad(self) -> None:
        """The pad opens under the name: bring all of it into view (the page scrolls)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None and self.pad.isVisible():
            parent.ensureWidgetVisible(self.pad, 0, 8)

    def _show_fields(self) -> None:
        s = self.journey.session
        set_checked_quietly(self.mode_buttons[s.sign_mode], True)
        named = s.sign_mode is not SignMode.ANONYMOUS
        drawing = named and self.campaign.letter.drawn_signature
        self.draw_toggle.setVisible(drawing)
        self.pad.setVisible(drawing and self.draw_toggle.isChecked())
        for field, shown in (("first_name", named), ("last_name", s.sign_mode is SignMode.FULL)):
            self.edits[field].setVisible(shown)
            self.labels[field].setVisible(shown)
        has_email = bool(s.email.strip())
        # Consent must be a positive act: the box appears unticked, and only with an address.
        self.opt_in.setVisible(has_email)
        self.send_copy.setVisible(has_email)
        self.anonymous_note.setVisible(not named)

    def retranslate(self) -> None:
        super().retranslate()
        for mode, b in self.mode_buttons.items():
            set_text(b, self.t(f"sign.mode_{mode.value}"), self.t("sign.mode"))
        for field, (key, _m, _h) in _FIELDS.items():
            set_text(self.labels[field], self.t(key))
            self.edits[field].setAccessibleName(self.t(key))
        self.edits["email"].setAccessibleDescription(self.t("sign.email_help"))
        self.send_copy.set_text(self.t("sign.send_copy"))
        self.opt_in.set_text(self.t("sign.opt_in", organiser=self.campaign.email.sender_name))
        self.draw_toggle.set_text(self.t("drawing.toggle"))
        self.draw_toggle.box.setAccessibleDescription(self.t("drawing.toggle_help"))
        self.pad.set_texts(hint=self.t("drawing.hint"), name=self.t("drawing.pad"),
                           description=self.t("drawing.pad_help"), clear=self.t("drawing.clear"),
                           clear_description=self.t("drawing.clear_help"))
        signature = self.t("letter.anonymous_signature")
        set_text(self.anonymous_note, self.t("sign.anonymous_note", signature=signature))

    def enter(self) -> None:
        s = self.journey.session
        for field, edit in self.edits.items():
            value = getattr(s, field)
            if edit.text() != value:
                edit.setText(value)
        self.send_copy.set_quietly(s.send_copy)
        self.opt_in.set_quietly(s.opt_in)
        if self._drawn_for and self._drawn_for != s.id:
            self._forget_drawing()  # strokes of another session: never shown to this one
        self._show_fields()

    def _forget_drawing(self) -> None:
        self.pad.wipe()
        self._drawn_for = ""
        self.draw_toggle.set_quietly(False)
        self.pad.hide()

    def wipe(self) -> None:
        self._forget_drawing()
        for edit in self.edits.values():
            edit.setText("")  # setText, unlike typing, also empties the undo history
            edit.deselect()
        self.send_copy.set_quietly(False)
        self.opt_in.set_quietly(False)

    def first_focus(self):
        return self.mode_buttons[self.journey.session.sign_mode]
