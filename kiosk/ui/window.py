"""The kiosk window: a top bar, the page for the current step, Back and the primary action.

The window listens to the journey and shows what it says. It holds no visitor state of its own;
when the journey starts a new session, every page made so far is wiped field by field. It knows
pages only as ``Page``: what a step shows, its main button's label and action, what leaving it
does and what it makes of the printer's news are the page's own (kiosk/ui/pages/). The staff
access, the idle guard and the display preferences are parts of their own, wired together in
``kiosk.ui.app.build_window``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.journey import NUMBERED_STEPS, Journey, Problem, Step
from kiosk.i18n import tr
from kiosk.ui.a11y import announce
from kiosk.ui.page_stack import PageStack
from kiosk.ui.pages.base import Page
from kiosk.ui.widgets import (
    Overlay,
    PageCover,
    Reflow,
    button,
    label,
    set_text,
)

if TYPE_CHECKING:
    from kiosk.delivery.office_queue import OfficeStatus
    from kiosk.delivery.print_queue import QueueStatus
    from kiosk.domain.journey import Delivery
    from kiosk.ui.display import DisplayPreferences
    from kiosk.ui.idle import IdleGuard
    from kiosk.ui.services import Services
    from kiosk.ui.staff.access import StaffAccess


class KioskWindow(QWidget):
    # Parts wired in by kiosk.ui.app.build_window; the window itself does not use them.
    staff: StaffAccess | None = None
    idle: IdleGuard | None = None

    def __init__(self, journey: Journey, display: DisplayPreferences,
                 services: Services | None = None, *, kiosk_mode=True):
        super().__init__()
        self.journey = journey
        self.display = display
        self.services = services
        self.kiosk_mode = kiosk_mode
        self._ready = False  # set at the end of __init__: layers are watched from then on
        self.setObjectName("kiosk")
        self.setWindowTitle(tr("app.name", journey.language))
        self._typing = False  # the on-screen keyboard is open (see set_keyboard_room)
        self._top_bar_yields = False  # ...and the page needs the top bar's room for it

        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 16, 40, 16)
        # Everything a visitor works with sits in ``content``; the overlays and staff screens
        # are the window's other children (see _cover).
        self.content = QWidget()
        outer.addWidget(self.content)
        root = QVBoxLayout(self.content)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(10)
        self.cover = PageCover(self, self.content)

        self.topbar = QFrame()
        self.topbar.setProperty("role", "topbar")
        top = QHBoxLayout(self.topbar)
        top.setContentsMargins(0, 0, 0, 0)
        self.step_label = label("step", wrap=False)
        self.size_button = button("quiet")
        self.contrast_button = button("quiet", checkable=True)
        display.style(self)
        display.restyled.connect(self._restyled)
        display.add_buttons(self.size_button, self.contrast_button)
        self.lang_button = button("quiet")
        self.lang_button.clicked.connect(self._switch_language)
        self.start_over_button = button("quiet")
        self.start_over_button.clicked.connect(self.ask_start_over)
        # Rows that become columns when large text or a portrait screen leaves no room.
        bar = Reflow(spacing=8)
        bar.add(self.step_label)
        controls = Reflow(spacing=8)
        for b in (self.size_button, self.contrast_button, self.lang_button,
                  self.start_over_button):
            controls.add(b)
        bar.add_stretch()
        bar.add(controls)
        top.addWidget(bar)
        root.addWidget(self.topbar)

        self.pages = PageStack(journey, self, self._page_made)
        root.addWidget(self.pages, 1)

        self.problem = label("problem")
        self.problem.hide()
        root.addWidget(self.problem)

        self.bottombar = QFrame()
        self.bottombar.setProperty("role", "bottombar")
        bottom = QHBoxLayout(self.bottombar)
        bottom.setContentsMargins(0, 0, 0, 0)
        self.back_button = button("quiet")
        self.back_button.clicked.connect(self._back)
        self.primary = button("primary")
        self.primary.clicked.connect(self._primary)
        nav = Reflow(spacing=8)
        nav.add(self.back_button)
        nav.add_stretch()
        nav.add(self.primary)
        bottom.addWidget(nav)
        root.addWidget(self.bottombar)

        self.confirm = Overlay(self)

        # Keyboard users get the same actions as touch: Alt+Left goes back.
        back = QShortcut(QKeySequence("Alt+Left"), self)
        back.activated.connect(self._back)

        self._problems: list[Problem] = []
        self._printer_status: QueueStatus | None = None
        self._office_status: OfficeStatus | None = None
        # The on-screen keyboard (a TouchKeyboard) on a touchscreen kiosk, set by the app.
        self.keyboard: QObject | None = None
        self._event_total: int | None = None
        if services is not None:
            services.printer_changed.connect(self._on_printer)
            services.office_changed.connect(self._on_office)
            services.event_total.connect(self._on_event_total)
        self._shown_step: Step | None = None
        self._shown_lang: str | None = None
        self._shown_session: object = None
        self._ready = True
        journey.subscribe(self._render)
        self._render(journey)

    def page(self, step: Step) -> Page:
        """The page for ``step``, made now if it was not yet."""
        return self.pages[step]

    def current_page(self) -> Page:
        return self.pages[self.journey.step]

    def _page_made(self, page: Page) -> None:
        """A page was just made (the first time its step was asked for): ready it as if it had
        been there from the start."""
        page.retranslate()
        if self._typing:
            page.set_typing(True)
        if self._printer_status is not None:
            page.printer_changed(self._printer_status)
        if self._office_status is not None:
            page.office_changed(self._office_status)
        if self._event_total is not None:
            page.event_total(self._event_total)
        page.installEventFilter(self)  # its size, while typing: see _give_back_top_bar
        self._keep_bottom_bar_last(page)

    def _keep_bottom_bar_last(self, page: Page) -> None:
        """A page made after the window joined the end of the window's Tab order: put Back
        and the main button after it again, as they are on screen."""
        last: QWidget | None = None
        w = page.nextInFocusChain()
        while w is not None and page.isAncestorOf(w):
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus:
                last = w
            w = w.nextInFocusChain()
        if last is not None:
            QWidget.setTabOrder(last, self.back_button)
            QWidget.setTabOrder(self.back_button, self.primary)

    # --- rendering the journey -----------------------------------------------------------------

    def _render(self, j: Journey) -> None:
        if j.session is not self._shown_session:
            if self._shown_session is not None:
                self._forget_visitor()
            self._shown_session = j.session
        if j.language != self._shown_lang:
            self._shown_lang = j.language
            self._retranslate()
        if j.step is not self._shown_step:
            old = self.pages.get(self._shown_step)
            if old is not None:
                old.leave()
            self._shown_step = j.step
            page = self.pages[j.step]
            page.enter()
            self.pages.show_page(j.step)
            self._set_problem("")
            self._update_bars()
            self._focus_page(page)
            announce(self, page.announcement())

    def _retranslate(self) -> None:
        lang = self.journey.language
        self.setWindowTitle(tr("app.name", lang))
        for page in self.pages.made():
            page.retranslate()
        others = [c for c in self.journey.campaign.languages if c != lang]
        self.lang_button.setVisible(bool(others))
        set_text(self.lang_button, tr("common.switch_language", lang),
                 tr("common.switch_language_name", lang))
        set_text(self.start_over_button, tr("common.start_over", lang))
        set_text(self.back_button, tr("common.back", lang))
        self._update_bars()
        if self.problem.isVisible() and self._problems:
            self._set_problem(self._problem_text(self._problems))

    def _update_bars(self) -> None:
        page = self.current_page()
        lang = self.journey.language
        n = self.journey.step_number()
        numbered = n is not None
        self.topbar.setVisible(page.top_bar and not self._top_bar_yields)
        self.step_label.setVisible(numbered)
        self.start_over_button.setVisible(numbered)
        self.bottombar.setVisible(numbered)
        if numbered:
            total = len(NUMBERED_STEPS)
            set_text(self.step_label, tr("common.step", lang, n=n, total=total),
                     tr("common.step_announce", lang, n=n, total=total, title=page.heading()))
            set_text(self.primary, page.primary_label())

    def _focus_page(self, page: Page) -> None:
        target = page.first_focus()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- what pages may ask of the window (PageHost) -------------------------------------------

    def ask(self, title: str, body: str, yes: str, no: str,
            on_answer: Callable[[bool], None]) -> None:
        self.confirm.ask(title, body, yes, no, on_answer)

    def dismiss_question(self) -> None:
        self.confirm.dismiss()

    def show_problems(self, problems: Sequence[Problem]) -> None:
        self._problems = list(problems)
        self._set_problem(self._problem_text(self._problems))

    def show_message(self, text: str) -> None:
        self._problems = []
        self._set_problem(text)

    def letters_kept(self, delivery: Delivery) -> None:
        printer_ready = self.services.printer_ready() if self.services else False
        for page in self.pages.made():
            page.letters_kept(delivery, printer_ready)
        if services := self.services:
            # The letters are on disk already; the workers (which share the GIL) start a
            # moment later so the thank-you screen paints first.
            QTimer.singleShot(100, self, lambda: services.letters_kept(delivery))

    # --- actions -------------------------------------------------------------------------------

    def _problem_text(self, problems: list[Problem]) -> str:
        rules = self.journey.campaign.session
        lang = self.journey.language
        return " ".join(
            tr(f"problem.{p.value}", lang, min=rules.body_min_chars, max=rules.body_max_chars)
            for p in problems
        )

    def _set_problem(self, text: str) -> None:
        set_text(self.problem, text)
        self.problem.setVisible(bool(text))
        if text:
            announce(self.problem, text)
        else:
            self._problems = []

    def _primary(self) -> None:
        self.current_page().primary()

    def send(self) -> None:
        """Press the step's main button (Send, on the deliver step)."""
        self._primary()

    def _back(self) -> None:
        if self.journey.step in NUMBERED_STEPS and not self.confirm.isVisible():
            self.journey.back()

    def _switch_language(self) -> None:
        langs = self.journey.campaign.languages
        i = langs.index(self.journey.language)
        self.journey.set_language(langs[(i + 1) % len(langs)])

    def ask_start_over(self) -> None:
        lang = self.journey.language
        self.confirm.ask(
            tr("start_over.title", lang), tr("start_over.body", lang),
            tr("start_over.yes", lang), tr("start_over.no", lang),
            lambda yes: self.journey.start_over() if yes else None,
        )

    def failsafe(self, detail: str) -> None:
        """After an unexpected error: back to the attract screen, and tell staff."""
        self.journey.fail()
        for page in self.pages.made():
            page.failsafe()
        if self.services:
            self.services.audit("kiosk.failsafe", detail)

    @property
    def typing(self) -> bool:
        """The on-screen keyboard is open and the window has made room for it."""
        return self._typing

    def set_keyboard_room(self, height: int) -> None:
        """Keep the bottom ``height`` pixels free for the on-screen keyboard. While it is open
        the visitor is typing: the top bar steps aside and the page compacts itself, so the
        field being typed in gets the room (Back and Next stay)."""
        typing = height > 0
        gap = 8 if typing else 16
        lay = self.layout()
        assert lay is not None  # set in __init__
        m = lay.contentsMargins()
        lay.setContentsMargins(m.left(), gap, m.right(), gap + height)
        if typing != self._typing:
            self._typing = typing
            for page in self.pages.made():
                page.set_typing(typing)
            self.make_room_for_typing()

    def make_room_for_typing(self) -> None:
        """The top bar (Start over, language, text size) steps aside while the keyboard is
        open, then comes back as soon as the page shows it can spare the room (a portrait
        screen, a larger screen): see _give_back_top_bar."""
        self._top_bar_yields = self._typing
        self._update_bars()

    def _give_back_top_bar(self) -> None:
        if not (self._typing and self._top_bar_yields):
            return
        page = self.current_page()
        content_layout = self.content.layout()
        assert content_layout is not None  # set in __init__
        if page.can_spare(self.topbar.sizeHint().height() + content_layout.spacing()):
            self._top_bar_yields = False
            self._update_bars()

    def ask_quit(self) -> None:
        lang = self.journey.language
        self.confirm.ask(
            tr("staff.quit_title", lang), tr("staff.quit_body", lang),
            tr("staff.quit_yes", lang), tr("staff.quit_no", lang),
            lambda yes: self.quit() if yes else None,
        )
        self.confirm.raise_()

    def allow_close(self) -> None:
        """Let the window close: in kiosk mode it refuses, except when staff quit (or a test
        or a screen render is done with it)."""
        self._quitting = True

    def quit(self) -> None:
        if self.services:
            self.services.audit("kiosk.quit")
        self.allow_close()
        self.close()
        app = QApplication.instance()
        assert app is not None  # the window exists, so the application does
        app.quit()

    # --- printer news --------------------------------------------------------------------------

    def _on_event_total(self, letters: int) -> None:
        self._event_total = letters
        for page in self.pages.made():
            page.event_total(letters)

    def _on_printer(self, status: QueueStatus) -> None:
        self._printer_status = status
        for page in self.pages.made():
            page.printer_changed(status)

    def _on_office(self, status: OfficeStatus) -> None:
        self._office_status = status
        for page in self.pages.made():
            page.office_changed(status)

    # --- privacy -------------------------------------------------------------------------------

    def _forget_visitor(self) -> None:
        """A new visitor: nothing of the last one may be found on any page."""
        for page in self.pages.made():
            page.wipe()
            self.pages.scroller(page.step).verticalScrollBar().setValue(0)
        self.confirm.dismiss()
        self._set_problem("")
        clipboard = QGuiApplication.clipboard()
        clipboard.clear()
        if clipboard.supportsSelection():
            clipboard.clear(clipboard.Mode.Selection)

    # --- modal layers --------------------------------------------------------------------------

    def childEvent(self, event) -> None:
        # Every other child of the window is a layer over the visitor's page: the questions,
        # the idle warning, the PIN pad and the staff screens. Watched from when it is polished,
        # which comes before it first shows: when it is added, it is still being made, and
        # asking Qt for a half-made child cost 30-40 ms the first time, before the first frame.
        if event.type() == QEvent.Type.ChildPolished:
            event.child().installEventFilter(self)
        super().childEvent(event)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(obj, Page):
            if self._top_bar_yields:  # once the page's own layout has followed
                QTimer.singleShot(0, self, self._give_back_top_bar)
            return False
        if (event.type() in (QEvent.Type.Show, QEvent.Type.Hide) and self._ready
                and obj is not self.content):
            self._cover()
        return False

    def _layers(self) -> list[QWidget]:
        return [w for w in self.children()
                if isinstance(w, QWidget) and w is not self.content and not w.isHidden()]

    def _cover(self) -> None:
        """While a layer is open, the page behind it is a picture, not widgets (PageCover)."""
        if self._layers():
            self.cover.cover()
        elif self.content.isHidden():
            focus = self.cover.uncover()
            if focus is not None and focus.isVisible():
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self._focus_page(self.current_page())

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.cover.paint()

    # --- window --------------------------------------------------------------------------------

    def apply_theme(self, force: bool = False) -> None:
        """The visitor's text size and contrast, and the screen's size, as the stylesheet."""
        self.display.apply(force)

    def resizeEvent(self, event) -> None:
        # Every layer (questions, the idle warning, staff screens) covers the whole window.
        for w in self.children():
            if isinstance(w, QWidget) and w is not self.content:
                w.setGeometry(self.rect())
        super().resizeEvent(event)

    def _restyled(self) -> None:
        if self._typing:
            self.make_room_for_typing()  # larger text: does the letter still have room?

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        # In kiosk mode a visitor cannot close the window; staff quit from the staff panel.
        if self.kiosk_mode and not getattr(self, "_quitting", False):
            event.ignore()
            return
        super().closeEvent(event)
