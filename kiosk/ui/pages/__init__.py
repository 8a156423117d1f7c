"""One module per step of the visitor journey, and the table that says which page shows which
step. Pages render the journey's state; they never own it: every edit goes to ``Journey.update``
at once, so switching language or page loses nothing.

A page's module is imported, and the page made, the first time its step is asked for
(``make_page``): the attract screen paints without the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.domain.journey import Step

if TYPE_CHECKING:
    from kiosk.domain.journey import Journey
    from kiosk.ui.pages.base import Page, PageHost

PageFactory = Callable[["Journey", "PageHost"], "Page"]


def _attract(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.attract import AttractPage

    return AttractPage(journey, host)


def _recipients(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.recipients import RecipientsPage

    return RecipientsPage(journey, host)


def _write(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.write import WritePage

    return WritePage(journey, host)


def _sign(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.sign import SignPage

    return SignPage(journey, host)


def _review(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.review import ReviewPage

    return ReviewPage(journey, host)


def _deliver(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.deliver import DeliverPage

    return DeliverPage(journey, host)


def _thanks(journey: Journey, host: PageHost) -> Page:
    from kiosk.ui.pages.thanks import ThanksPage

    return ThanksPage(journey, host)


PAGES: dict[Step, PageFactory] = {
    Step.ATTRACT: _attract,
    Step.RECIPIENTS: _recipients,
    Step.WRITE: _write,
    Step.SIGN: _sign,
    Step.REVIEW: _review,
    Step.DELIVER: _deliver,
    Step.THANKS: _thanks,
}


def make_page(step: Step, journey: Journey, host: PageHost) -> Page:
    return PAGES[step](journey, host)
