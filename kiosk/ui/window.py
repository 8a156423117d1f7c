"""The kiosk window: a top bar, the page for the current step, Back and the primary action.

The window listens to the journey and shows what it says. It holds no visitor state of its own;
when the journey starts a new session, every page is wiped field by field.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.journey import NUMBERED_STEPS, TEXT_SIZES, Journey, Problem, Step
from kiosk.i18n import tr
from kiosk.ui.a11y import announce
from kiosk.ui.idle import IdleMonitor
from kiosk.ui.pages.attract import AttractPage
from kiosk.ui.pages.base import Page
from kiosk.ui.pages.deliver import DeliverPage
from kiosk.ui.pages.recipients import RecipientsPage
from kiosk.ui.pages.review import ReviewPage
from kiosk.ui.pages.sign import SignPage
from kiosk.ui.pages.thanks import ThanksPage
from kiosk.ui.pages.write import WritePage
from kiosk.ui.theme import palette_for, scale_for, stylesheet
from kiosk.ui.widgets import (
    Overlay,
    PageCover,
    Reflow,
    ScrollFrame,
    button,
    label,
    make_page_scroller,
    set_checked_quietly,
    set_text,
    steady_scroll_bars,
)

if TYPE_CHECKING:
    from kiosk.delivery.print_queue import QueueStatus
    from kiosk.ui.services import Services

log = logging.getLogger(__name__)


class KioskWindow(QWidget):
    def __init__(self, journey: Journey, services: Services | None = None, *, kiosk_mode=True):
        super().__init__()
        self.journey = journey
        self.services = services
        self.kiosk_mode = kiosk_mode
        self.setObjectName("kiosk")
        self.setWindowTitle(tr("app.name", journey.language))
        self._look: tuple[float, int, bool] | None = None
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
        self.size_button.clicked.connect(self._next_text_size)
        self.contrast_button = button("quiet", checkable=True)
        self.contrast_button.toggled.connect(self._set_contrast)
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

        self.stack = QStackedWidget()
        self.attract = AttractPage(journey)
        self.attract.language_chosen.connect(journey.set_language)
        self.attract.text_size_clicked.connect(self._next_text_size)
        self.attract.contrast_toggled.connect(self._set_contrast)
        self.write = WritePage(journey)
        self.write.confirm_replace.connect(self._ask_replace)
        self.deliver = DeliverPage(journey)
        self.thanks = ThanksPage(journey)
        self.pages: dict[Step, Page] = {
            Step.ATTRACT: self.attract,
            Step.RECIPIENTS: RecipientsPage(journey),
            Step.WRITE: self.write,
            Step.SIGN: SignPage(journey),
            Step.REVIEW: ReviewPage(journey),
            Step.DELIVER: self.deliver,
            Step.THANKS: self.thanks,
        }
        self.scrollers: dict[Step, ScrollFrame] = {}
        for step, page in self.pages.items():
            # Every page can scroll: at 200 % text or in portrait nothing is cut off.
            page.installEventFilter(self)  # its size, while typing: see _give_back_top_bar
            scroller = make_page_scroller(page)
            self.scrollers[step] = scroller
            self.stack.addWidget(scroller)
        root.addWidget(self.stack, 1)

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
        self.idle_overlay = Overlay(self)
        self.idle = IdleMonitor(journey.campaign.session.idle_timeout_seconds, self)
        self.idle.idle.connect(self.warn_idle)
        self._idle_left = 0
        self.idle_countdown = QTimer(self)
        self.idle_countdown.setInterval(1000)
        self.idle_countdown.timeout.connect(self._idle_tick)

        # Keyboard users get the same actions as touch: Alt+Left goes back.
        back = QShortcut(QKeySequence("Alt+Left"), self)
        back.activated.connect(self._back)

        self._problems: list[Problem] = []
        self._printer_status: QueueStatus | None = None
        self.staff = None
        # The on-screen keyboard (a TouchKeyboard) on a touchscreen kiosk, set by the app.
        self.keyboard: QObject | None = None
        if services is not None:
            services.printer_changed.connect(self._on_printer)
            from kiosk.ui.staff.access import StaffAccess

            self.staff = StaffAccess(self)
        # Screen readers count a scroll area's children; they must not change under them.
        steady_scroll_bars(self)
        self._shown_step: Step | None = None
        self._shown_lang: str | None = None
        self._shown_session: object = None
        journey.subscribe(self._render)
        self._render(journey)

    # --- rendering the journey -----------------------------------------------------------------

    def _render(self, j: Journey) -> None:
        if j.session is not self._shown_session:
            if self._shown_session is not None:
                self._forget_visitor()
            self._shown_session = j.session
            self.apply_theme()
        if j.language != self._shown_lang:
            self._shown_lang = j.language
            self._retranslate()
        if j.step is not self._shown_step:
            old = self.pages.get(self._shown_step) if self._shown_step else None
            if isinstance(old, ThanksPage):
                old.leave()
            self._shown_step = j.step
            page = self.pages[j.step]
            page.enter()
            if j.step is Step.DELIVER:
                self._show_printer()  # what the printer note may offer depends on the page
            self.stack.setCurrentWidget(self.scrollers[j.step])
            self._set_problem("")
            self._update_bars()
            self._focus_page(page)
            self._announce_step()
        self.idle.set_active(j.step in NUMBERED_STEPS)

    def _retranslate(self) -> None:
        lang = self.journey.language
        self.setWindowTitle(tr("app.name", lang))
        for page in self.pages.values():
            page.retranslate()
        others = [c for c in self.journey.campaign.languages if c != lang]
        self.lang_button.setVisible(bool(others))
        set_text(self.lang_button, tr("common.switch_language", lang),
                 tr("common.switch_language_name", lang))
        set_text(self.start_over_button, tr("common.start_over", lang))
        set_text(self.back_button, tr("common.back", lang))
        self._describe_display()
        self._update_bars()
        self._show_printer()
        if self.problem.isVisible() and self._problems:
            self._set_problem(self._problem_text(self._problems))

    def _update_bars(self) -> None:
        step = self.journey.step
        lang = self.journey.language
        numbered = step in NUMBERED_STEPS
        self.topbar.setVisible(step is not Step.ATTRACT and not self._top_bar_yields)
        self.step_label.setVisible(numbered)
        self.start_over_button.setVisible(numbered)
        self.bottombar.setVisible(numbered)
        if numbered:
            n = self.journey.step_number()
            title = self.pages[step].heading()
            set_text(self.step_label, tr("common.step", lang, n=n, total=len(NUMBERED_STEPS)),
                     tr("common.step_announce", lang, n=n, total=len(NUMBERED_STEPS), title=title))
            text = self.deliver.send_label() if step is Step.DELIVER else tr("common.next", lang)
            set_text(self.primary, text)

    def _announce_step(self) -> None:
        step, lang = self.journey.step, self.journey.language
        if step in NUMBERED_STEPS:
            n = self.journey.step_number()
            announce(self, tr("common.step_announce", lang, n=n, total=len(NUMBERED_STEPS),
                              title=self.pages[step].heading()))
        elif step is Step.ATTRACT:
            announce(self, self.journey.campaign.campaign.title.get(lang))
        else:
            announce(self, tr("thanks.title", lang))

    def _focus_page(self, page: Page) -> None:
        target = page.first_focus()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

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
        j = self.journey
        if j.step is Step.DELIVER:
            self.send()
            return
        if not j.next():
            self._problems = j.problems()
            self._set_problem(self._problem_text(self._problems))

    def send(self) -> None:
        delivery = self.deliver.delivery()
        lang = self.journey.language
        if not (delivery.print or delivery.email):
            self._problems = [Problem.NO_CHANNEL]
            self._set_problem(self._problem_text(self._problems))
            return
        try:
            self.journey.confirm(delivery)
        except Exception:
            # The letter is still on screen; nothing is lost by staying here.
            log.exception("could not keep the visitor's letters")
            self._problems = []
            self._set_problem(tr("deliver.saving_failed", lang))
            return
        printer_ready = self.services.printer_ready() if self.services else False
        self.thanks.set_outcome(printing=delivery.print, printer_ready=printer_ready,
                                emailed=delivery.email)
        if services := self.services:
            # The letters are on disk already; the workers (which share the GIL) start a
            # moment later so the thank-you screen paints first.
            QTimer.singleShot(100, self, lambda: services.letters_kept(delivery))

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
        lang = self.journey.language
        self.attract.show_alert(tr("failsafe.message", lang))
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
            for page in self.pages.values():
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
        page = self.pages[self.journey.step]
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

    def _ask_replace(self, on_answer) -> None:
        lang = self.journey.language
        self.confirm.ask(
            tr("write.replace_title", lang), tr("write.replace_body", lang),
            tr("write.replace_yes", lang), tr("write.replace_no", lang), on_answer,
        )

    # --- printer news --------------------------------------------------------------------------

    def _on_printer(self, status: QueueStatus) -> None:
        self._printer_status = status
        self._show_printer()

    def _show_printer(self) -> None:
        """Staff see the printer's trouble on the attract screen; a visitor who is about to
        print is told kindly, before choosing, that their letter is safe either way."""
        status = self._printer_status
        if status is None:
            return
        lang = self.journey.language
        self.attract.show_alert(status.staff_alert(lang) or "")
        printer = status.printer
        trouble = printer.needs_staff and printer.monitored and printer.kind != "paper_low"
        note = printer.visitor_message(lang) if trouble else ""
        if note and self.deliver.email_card.isVisibleTo(self.deliver):
            note = f"{note} {tr('printing.visitor.or_email', lang)}"  # only if email is offered
        self.deliver.set_printer_note(note)

    # --- idle ----------------------------------------------------------------------------------

    def warn_idle(self, countdown: int | None = None) -> None:
        """Ask "Are you still there?", counting down ``countdown`` seconds (the campaign's by
        default) before the session is wiped."""
        if self.staff is not None and self.staff.is_open:
            self.idle.poke()  # staff at work: the visitor's page is not theirs to clear
            return
        lang = self.journey.language
        self._idle_left = countdown or self.journey.campaign.session.idle_countdown_seconds
        self.confirm.dismiss()
        self.idle_overlay.ask(
            tr("idle.title", lang), tr("idle.body", lang, n=self._idle_left),
            tr("idle.stay", lang), tr("idle.leave", lang), self._idle_answer,
        )
        # "Still here" is the safe answer for someone who comes back.
        self.idle_overlay.yes.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self.idle_overlay, tr("idle.title", lang))
        self.idle_countdown.start()

    def _idle_tick(self) -> None:
        self._idle_left -= 1
        if self._idle_left <= 0:
            self.idle_countdown.stop()
            self.idle_overlay.dismiss()
            self.journey.idle_timeout()
            return
        self.idle_overlay.set_body(tr("idle.body", self.journey.language, n=self._idle_left))

    def _idle_answer(self, stay: bool) -> None:
        self.idle_countdown.stop()
        if stay:
            self.idle.poke()
        else:
            self.journey.idle_timeout()

    # --- privacy -------------------------------------------------------------------------------

    def _forget_visitor(self) -> None:
        """A new visitor: nothing of the last one may be found on any page."""
        for step, page in self.pages.items():
            page.wipe()
            self.scrollers[step].verticalScrollBar().setValue(0)
        self.confirm.dismiss()
        self.idle_overlay.dismiss()
        self.idle_countdown.stop()
        self._set_problem("")
        clipboard = QGuiApplication.clipboard()
        clipboard.clear()
        if clipboard.supportsSelection():
            clipboard.clear(clipboard.Mode.Selection)

    # --- modal layers --------------------------------------------------------------------------

    def childEvent(self, event) -> None:
        # Every other child of the window is a layer over the visitor's page: the questions,
        # the idle warning, the PIN pad and the staff screens.
        if event.type() == QEvent.Type.ChildAdded and event.child().isWidgetType():
            event.child().installEventFilter(self)
        super().childEvent(event)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(obj, Page):
            if self._top_bar_yields:  # once the page's own layout has followed
                QTimer.singleShot(0, self, self._give_back_top_bar)
            return False
        if (event.type() in (QEvent.Type.Show, QEvent.Type.Hide) and hasattr(self, "pages")
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
                self._focus_page(self.pages[self.journey.step])

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.cover.paint()

    # --- window --------------------------------------------------------------------------------

    def apply_theme(self, force: bool = False) -> None:
        s = self.journey.session
        scale = scale_for(self.width(), self.height())
        look = (round(scale, 3), s.text_size, s.high_contrast)
        if force or look != self._look:
            self._look = look
            self.setStyleSheet(stylesheet(scale, palette_for(s.high_contrast), s.text_size / 100))
            if self._typing:
                self.make_room_for_typing()  # larger text: does the letter still have room?
        self._describe_display()

    def _describe_display(self) -> None:
        s, lang = self.journey.session, self.journey.language
        for b in (self.size_button, self.attract.size_button):
            set_text(b, tr("display.text_size", lang), tr("display.text_size_description", lang))
            b.setAccessibleName(tr("display.text_size_name", lang, size=s.text_size))
        for b in (self.contrast_button, self.attract.contrast_button):
            set_text(b, tr("display.contrast", lang), tr("display.contrast_description", lang))
            key = "display.contrast_on_name" if s.high_contrast else "display.contrast_off_name"
            b.setAccessibleName(tr(key, lang))
            set_checked_quietly(b, s.high_contrast)

    def _next_text_size(self) -> None:
        sizes = TEXT_SIZES
        current = self.journey.session.text_size
        self.journey.update(text_size=sizes[(sizes.index(current) + 1) % len(sizes)])
        self.apply_theme()
        announce(self, self.size_button.accessibleName())

    def _set_contrast(self, on: bool) -> None:
        self.journey.update(high_contrast=on)
        self.apply_theme()
        announce(self, self.contrast_button.accessibleName())

    def resizeEvent(self, event) -> None:
        self.apply_theme()
        for overlay in (self.confirm, self.idle_overlay):
            overlay.setGeometry(self.rect())
        if self.staff is not None:
            self.staff.relayout()
        super().resizeEvent(event)

    def closeEvent(self, event) -> None:
        # In kiosk mode a visitor cannot close the window; staff quit from the staff panel.
        if self.kiosk_mode and not getattr(self, "_quitting", False):
            event.ignore()
            return
        super().closeEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)
