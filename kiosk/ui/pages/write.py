"""Step 2: write the letter. A starting text or a blank page, talking points beside it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.compose import starting_text
from kiosk.domain.journey import Step
from kiosk.domain.text_rules import body_length
from kiosk.ui.pages.base import Page, PageHost
from kiosk.ui.widgets import (
    Reflow,
    button,
    label,
    make_page_scroller,
    set_checked_quietly,
    set_compact,
    set_text,
)

BLANK = "__blank__"
# Lines of the letter kept in view while the on-screen keyboard is open, by text size.
TYPING_LINES = {100: 8, 150: 6, 200: 4}


class WritePage(Page):
    step = Step.WRITE
    title_key = "write.title"
    help_key = "write.help"

    def __init__(self, journey, host: PageHost, parent: QWidget | None = None):
        super().__init__(journey, host, parent)
        self._typing = False
        # While the on-screen keyboard is open, one slim row replaces the heading and the help
        # line: a smaller heading, the count, and "Ideas", which brings back the starting
        # letters and talking points without taking the letter's height.
        self.typing_bar = QWidget()
        bar = QHBoxLayout(self.typing_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(16)
        self.typing_title = label("title")  # wraps, rather than push the row off the screen
        set_compact(self.typing_title, True)
        bar.addWidget(self.typing_title, 1)
        self.typing_count = label("help", wrap=False)
        bar.addWidget(self.typing_count)
        self.ideas = button("quiet", checkable=True)
        # No focus: a tap on it leaves the caret (and so the keyboard) in the letter.
        self.ideas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ideas.toggled.connect(self._show_aids)
        bar.addWidget(self.ideas)
        self.typing_bar.hide()
        self.layout_.addWidget(self.typing_bar)
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

        # The aids (starting letters, then talking points) scroll as one column beside the
        # letter, as tall as the letter's box: they never make the page taller than the screen,
        # with or without the on-screen keyboard.
        aids_content = QWidget()
        right = QVBoxLayout(aids_content)
        right.setContentsMargins(0, 0, 8, 0)
        right.setSpacing(6)
        self.start_from = label()
        self.start_from.setStyleSheet("font-weight: 600;")
        right.addWidget(self.start_from)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.choice_buttons: dict[str, QPushButton] = {}
        pair: Reflow | None = None
        for i, tid in enumerate([t.id for t in self.campaign.starting_texts] + [BLANK]):
            if pair is None or i % 2 == 0:  # two a row, leaving room for the talking points
                pair = Reflow(spacing=6)
                right.addWidget(pair)
            b = button("choice", checkable=True)
            b.setAutoExclusive(True)  # one of a set: a radio button to assistive technology
            b.toggled.connect(lambda on, t=tid: self._choose(t) if on else None)
            self.group.addButton(b)
            pair.add(b, 1)
            self.choice_buttons[tid] = b
        right.addSpacing(8)
        panel = QFrame()
        panel.setProperty("role", "panel")
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(16, 12, 16, 12)
        pl.setSpacing(14)
        self.points_title = label()
        self.points_title.setStyleSheet("font-weight: 600;")
        pl.addWidget(self.points_title)
        # One label a point, named by its own words, so a screen reader reads every point.
        # Made once for the language with the most points: widgets are never destroyed
        # while the page is on screen (a screen reader may be asking about them).
        most = max((len(self.campaign.talking_points.get(c)) for c in self.campaign.languages),
                   default=0)
        self.points: list[QLabel] = []
        for _ in range(most):
            point = label()
            point.setAlignment(Qt.AlignmentFlag.AlignTop)
            pl.addWidget(point)
            self.points.append(point)
        right.addWidget(panel)
        right.addStretch(1)
        # Sized for its wrapped text, or the last talking point could never be scrolled to.
        right_box = self.aids = make_page_scroller(aids_content)
        # Its height is the letter's (Ignored: its content's height never reaches the page).
        right_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        right_box.setMinimumHeight(60)
        # The visitor's own words come first in reading and Tab order; the aids follow.
        row.add(left_box, 1)
        row.add(right_box, 1)
        self._size_editor()
        self.layout_.addWidget(row, 1)
        self._loading = False

    def _size_editor(self) -> None:
        # Room for at least eight lines of the visitor's letter, whatever the text size; four
        # while the keyboard is open (the page then fits the space above it: see set_typing).
        lines = 4 if self._typing else 8
        self.editor.setMinimumHeight(self.editor.fontMetrics().lineSpacing() * lines + 24)

    def can_spare(self, height: int) -> bool:
        lines = TYPING_LINES.get(self.journey.session.text_size, 4)
        line = self.editor.fontMetrics().lineSpacing()
        return self.editor.viewport().height() - height >= lines * line

    def set_typing(self, typing: bool) -> None:
        super().set_typing(typing)
        self._typing = typing
        if self.title is not None:
            self.title.setVisible(not typing)
        self.typing_bar.setVisible(typing)
        self.count.setVisible(not typing)
        # A blank letter: the starting letters are the first thing to see, keyboard or not.
        set_checked_quietly(self.ideas, typing and not self.editor.toPlainText().strip())
        self._show_aids(self.ideas.isChecked())
        self._size_editor()
        self._show_placeholder()

    def _show_placeholder(self) -> None:
        if self.campaign.campaign.touchscreen:  # says plainly where to tap for the keyboard
            key = "write.editor_placeholder_typing" if self._typing else "write.editor_placeholder"
            self.editor.setPlaceholderText(self.t(key))

    def _show_aids(self, shown: bool) -> None:
        self.aids.setVisible(shown or not self._typing)

    def changeEvent(self, event) -> None:
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

        # Replacing what the visitor typed is asked first.
        self.host.ask(self.t("write.replace_title"), self.t("write.replace_body"),
                      self.t("write.replace_yes"), self.t("write.replace_no"), answered)

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
        full = self.t("write.count", n=n, max=rules.body_max_chars)
        set_text(self.count, full)
        set_text(self.typing_count, self.t("write.count_short", n=n, max=rules.body_max_chars))
        self.typing_count.setAccessibleName(full)
        for count in (self.count, self.typing_count):
            count.setProperty("role", "problem" if n > rules.body_max_chars else "help")
            count.style().unpolish(count)
            count.style().polish(count)

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
        set_text(self.typing_title, self.t(self.title_key))
        set_text(self.ideas, self.t("write.ideas"), self.t("write.ideas_description"))
        self._show_placeholder()
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
        set_checked_quietly(self.ideas, False)
        self._show_aids(False)
        self.editor.verticalScrollBar().setValue(0)

    def first_focus(self):
        return self.editor
