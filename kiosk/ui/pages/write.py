"""Step 2: write the letter. A starting text or a blank page, talking points beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.compose import starting_text
from kiosk.domain.journey import Step
from kiosk.domain.text_rules import body_length
from kiosk.ui.pages.base import Page
from kiosk.ui.widgets import (
    Reflow,
    button,
    label,
    make_page_scroller,
    set_checked_quietly,
    set_text,
)

BLANK = "__blank__"


class WritePage(Page):
    step = Step.WRITE
    title_key = "write.title"
    help_key = "write.help"
    # Asks the window to confirm replacing typed text: (on_answer callback)
    confirm_replace = Signal(object)

    def __init__(self, journey, parent: QWidget | None = None):
        super().__init__(journey, parent)
        row = Reflow(spacing=24)
        left_box = QWidget()
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(8)
        self.editor = QPlainTextEdit()
        self.editor.setProperty("role", "letter")
        self.editor.setTabChangesFocus(True)  # Tab moves on; a letter needs no tab characters
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.editor.textChanged.connect(self._edited)
        left.addWidget(self.editor, 1)
        self.count = label("help", wrap=False)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        left.addWidget(self.count)

        right_box = QWidget()
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(6)
        self.start_from = label()
        self.start_from.setStyleSheet("font-weight: 600;")
        right.addWidget(self.start_from)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.choice_buttons: dict[str, QPushButton] = {}
        pair: Reflow | None = None
        for i, tid in enumerate([t.id for t in self.campaign.starting_texts] + [BLANK]):
            if i % 2 == 0:  # two a row, leaving room for the talking points below
                pair = Reflow(spacing=6)
                right.addWidget(pair)
            b = button("choice", checkable=True)
            b.setAutoExclusive(True)  # one of a set: a radio button to assistive technology
            b.toggled.connect(lambda on, t=tid: on and self._choose(t))
            self.group.addButton(b)
            pair.add(b, 1)
            self.choice_buttons[tid] = b
        right.addSpacing(8)
        panel = QFrame()
        panel.setProperty("role", "panel")
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(16, 12, 8, 12)
        self.points_title = label()
        self.points_title.setStyleSheet("font-weight: 600;")
        pl.addWidget(self.points_title)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 8, 0)
        holder_layout.setSpacing(14)
        # One label a point, named by its own words, so a screen reader reads every point.
        # Made once for the language with the most points: widgets are never destroyed
        # while the page is on screen (a screen reader may be asking about them).
        most = max((len(self.campaign.talking_points.get(c)) for c in self.campaign.languages),
                   default=0)
        self.points: list[QLabel] = []
        for _ in range(most):
            point = label()
            point.setAlignment(Qt.AlignmentFlag.AlignTop)
            holder_layout.addWidget(point)
            self.points.append(point)
        holder_layout.addStretch(1)
        # Sized for its wrapped text, or the last talking point could never be scrolled to.
        scroll = make_page_scroller(holder)
        for w in (holder, scroll.viewport()):
            w.setProperty("role", "surface")  # the panel's white, not the page's background
        scroll.setMinimumHeight(60)
        pl.addWidget(scroll, 1)
        right.addWidget(panel, 1)
        # The visitor's own words come first in reading and Tab order; the aids follow.
        row.add(left_box, 1)
        row.add(right_box, 1)
        self._size_editor()
        self.layout_.addWidget(row, 1)
        self._loading = False

    def _size_editor(self) -> None:
        # Room for at least eight lines of the visitor's letter, whatever the text size.
        self.editor.setMinimumHeight(self.editor.fontMetrics().lineSpacing() * 8 + 24)

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent

        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._size_editor()
        super().changeEvent(event)

    # --- events --------------------------------------------------------------------------------

    def _choose(self, tid: str) -> None:
        s = self.journey.session
        current = s.body.strip()
        untouched = not current or current == self._template_text(s.starting_text_id)
        if untouched:
            self._apply(tid)
            return

        def answered(yes: bool) -> None:
            if yes:
                self._apply(tid)
            else:
                self._check_current()

        self.confirm_replace.emit(answered)

    def _apply(self, tid: str) -> None:
        text = self._template_text(tid)
        self.journey.update(starting_text_id=None if tid == BLANK else tid, body=text)
        self._loading = True
        self.editor.setPlainText(text)
        self._loading = False
        self._check_current()
        self._update_count()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _template_text(self, tid: str | None) -> str:
        if not tid or tid == BLANK:
            return ""
        return starting_text(self.campaign, tid, self.lang)

    def _edited(self) -> None:
        if not self._loading:
            self.journey.update(body=self.editor.toPlainText())
        self._update_count()

    def _update_count(self) -> None:
        n = body_length(self.editor.toPlainText())
        rules = self.campaign.session
        set_text(self.count, self.t("write.count", n=n, max=rules.body_max_chars))
        self.count.setProperty("role", "problem" if n > rules.body_max_chars else "help")
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)

    def _check_current(self) -> None:
        s = self.journey.session
        if s.starting_text_id or s.body.strip():
            set_checked_quietly(self.choice_buttons[s.starting_text_id or BLANK], True)

    # --- page ----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
        set_text(self.start_from, self.t("write.starting_texts"))
        for t in self.campaign.starting_texts:
            set_text(self.choice_buttons[t.id], t.title.get(self.lang))
        set_text(self.choice_buttons[BLANK], self.t("write.blank"))
        self.editor.setAccessibleName(self.t("write.editor_name"))
        self.editor.setAccessibleDescription(self.t("write.editor_description"))
        set_text(self.points_title, self.t("write.talking_points"))
        points = self.campaign.talking_points.get(self.lang)
        for i, point in enumerate(self.points):
            text = points[i] if i < len(points) else ""
            set_text(point, f"•  {text}" if text else "")
            point.setAccessibleName(text)  # without the bullet, which a reader would say
            point.setVisible(bool(text))
        self._update_count()

    def enter(self) -> None:
        body = self.journey.session.body
        if self.editor.toPlainText() != body:
            self._loading = True
            self.editor.setPlainText(body)
            self._loading = False
        self._update_count()

    def wipe(self) -> None:
        self._loading = True
        self.editor.setPlainText("")
        self.editor.document().clearUndoRedoStacks()
        self._loading = False
        self.group.setExclusive(False)
        for b in self.choice_buttons.values():
            set_checked_quietly(b, False)
        self.group.setExclusive(True)
        self.editor.verticalScrollBar().setValue(0)

    def first_focus(self):
        return self.editor
