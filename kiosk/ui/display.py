"""The visitor's display preferences: text size and contrast.

Every step offers them (the window's top bar and the attract screen each have a pair of
buttons); they last for one visitor. This part owns the buttons' action and description, the
stylesheet they give the window, and what a screen reader is told when they change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.domain.journey import TEXT_SIZES
from kiosk.i18n import tr
from kiosk.ui.a11y import announce
from kiosk.ui.theme import palette_for, scale_for, stylesheet
from kiosk.ui.widgets import set_checked_quietly, set_text

if TYPE_CHECKING:
    from kiosk.domain.journey import Journey


class DisplayPreferences(QObject):
    """Text size and contrast for the current visitor, applied to the window (given with
    ``style``) as a stylesheet that also follows its size."""

    restyled = Signal()  # a new stylesheet was set

    def __init__(self, journey: Journey, parent: QObject | None = None):
        super().__init__(parent)
        self.journey = journey
        self._styled: QWidget | None = None
        self._sized = False  # the styled widget has had its first size
        self._look: tuple[float, int, bool] | None = None
        self._buttons: list[tuple[QPushButton, QPushButton]] = []
        self._session: object = journey.session
        self._lang = journey.language
        journey.subscribe(self._journey_changed)

    def style(self, widget: QWidget) -> None:
        """Give ``widget`` (the window) the stylesheet; it is set when the widget first gets
        its size (laying out every widget twice at start-up, once for a size it never has,
        cost a sixth of the start-up) and again whenever the look changes."""
        self._styled = widget
        widget.installEventFilter(self)

    def add_buttons(self, size: QPushButton, contrast: QPushButton) -> None:
        """A text-size and a contrast button: they act here, and are described here."""
        size.clicked.connect(self.next_text_size)
        contrast.toggled.connect(self.set_contrast)
        self._buttons.append((size, contrast))
        self._describe(size, contrast)

    # --- the visitor's choices -----------------------------------------------------------------

    def next_text_size(self) -> None:
        current = self.journey.session.text_size
        self.journey.update(text_size=TEXT_SIZES[(TEXT_SIZES.index(current) + 1)
                                                 % len(TEXT_SIZES)])
        self.apply()
        self._tell(self.text_size_name())

    def set_contrast(self, on: bool) -> None:
        self.journey.update(high_contrast=on)
        self.apply()
        self._tell(self.contrast_name())

    def text_size_name(self) -> str:
        s = self.journey.session
        return tr("display.text_size_name", self.journey.language, size=s.text_size)

    def contrast_name(self) -> str:
        key = ("display.contrast_on_name" if self.journey.session.high_contrast
               else "display.contrast_off_name")
        return tr(key, self.journey.language)

    def _tell(self, text: str) -> None:
        if self._styled is not None:
            announce(self._styled, text)

    # --- applying them -------------------------------------------------------------------------

    def apply(self, force: bool = False) -> None:
        """Set the stylesheet for the session's text size and contrast and the window's size
        (when any of them changed, or ``force``), and describe the buttons."""
        w = self._styled
        if w is not None and (force or self._sized):
            s = self.journey.session
            look = (round(scale_for(w.width(), w.height()), 3), s.text_size, s.high_contrast)
            if force or look != self._look:
                self._look = look
                w.setStyleSheet(stylesheet(look[0], palette_for(s.high_contrast),
                                           s.text_size / 100))
                self.restyled.emit()
        for size, contrast in self._buttons:
            self._describe(size, contrast)

    def _describe(self, size: QPushButton, contrast: QPushButton) -> None:
        s, lang = self.journey.session, self.journey.language
        set_text(size, tr("display.text_size", lang), tr("display.text_size_description", lang))
        size.setAccessibleName(self.text_size_name())
        set_text(contrast, tr("display.contrast", lang), tr("display.contrast_description", lang))
        contrast.setAccessibleName(self.contrast_name())
        set_checked_quietly(contrast, s.high_contrast)

    def _journey_changed(self, journey: Journey) -> None:
        if journey.session is not self._session:  # a new visitor: the default look
            self._session = journey.session
            self._lang = journey.language
            self.apply()
        elif journey.language != self._lang:
            self._lang = journey.language
            for size, contrast in self._buttons:
                self._describe(size, contrast)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._styled and event.type() == QEvent.Type.Resize:
            self._sized = True
            self.apply()
        return False
