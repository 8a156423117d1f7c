"""Every screen, in both languages, every theme and text size, at three screen shapes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.domain.journey import TEXT_SIZES, Step
from kiosk.ui.app import build_window
from kiosk.ui.theme import (
    HIGH_CONTRAST,
    PALETTE,
    contrast_ratio,
    non_text_pairs,
    text_pairs,
)
from tests.support.checks.a11y_audit import audit

SCREENS = {"1280x800": (1280, 800), "1920x1080": (1920, 1080), "portrait": (1080, 1920)}


@pytest.mark.parametrize("palette", [PALETTE, HIGH_CONTRAST], ids=["standard", "contrast"])
def test_theme_contrast(palette):
    for name, (fg, bg) in text_pairs(palette).items():
        assert contrast_ratio(fg, bg) >= 4.5, name
    for name, (fg, bg) in non_text_pairs(palette).items():
        assert contrast_ratio(fg, bg) >= 3.0, name


def _visit(v, campaign):
    """Yield at each step of a full journey, with realistic content (``v``: a Visitor)."""
    window = v.window
    yield Step.ATTRACT
    v.start()
    yield Step.RECIPIENTS
    v.choose(*(r.id for r in campaign.recipients))
    v.next()
    v.starting_text(campaign.starting_texts[0].id)
    yield Step.WRITE
    v.next()
    v.sign(first="Marie-Ève", last="Castonguay-Bélanger", city="Saint-Boniface",
           email="marie-eve@example.com")
    yield Step.SIGN
    v.review()
    yield Step.REVIEW
    v.next()
    v.choose_delivery(print=True)
    yield Step.DELIVER
    v.ask_start_over()
    yield "start-over dialog", window.confirm
    v.answer(False)
    window.idle.warn()
    yield "still-there dialog", window.idle.overlay
    window.idle.overlay.dismiss()
    window.idle.countdown.stop()
    v.send()
    yield Step.THANKS
    v.done()
    window.staff.pad.open_pad()
    yield "staff PIN pad", window.staff.pad
    window.staff.pad.close_pad()
    window.staff.panel.open_panel()
    yield "staff panel", window.staff.panel
    window.staff.queues.open_view()
    yield "staff queues", window.staff.queues
    window.staff.queues.hide()
    window.staff.review.open_review()
    yield "staff review", window.staff.review
    window.staff.review.hide()
    window.staff.panel.close_panel()


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("contrast", [False, True], ids=["standard", "contrast"])
@pytest.mark.parametrize("size", TEXT_SIZES)
def test_every_screen_passes_the_audit(qtbot, visitor, campaign, data_dir, screen, contrast,
                                       size):
    w = build_window(campaign, data_dir, kiosk_mode=False)
    qtbot.addWidget(w, before_close_func=lambda w: w.services.stop())
    w.setFixedSize(*SCREENS[screen])
    w.show()
    v = visitor(w)
    problems = []
    for lang in campaign.languages:
        for step in _visit(v, campaign):
            w.journey.set_language(lang)
            w.journey.update(text_size=size, high_contrast=contrast)
            w.apply_theme()
            for _ in range(8):  # layouts settle over a few turns of the event loop
                QApplication.processEvents()
            name, root = step if isinstance(step, tuple) else (step, w)
            # A dialog or staff screen covers the page: check what can be seen and reached.
            problems += [f"{lang}/{name}: {p}" for p in audit(root)]
    assert problems == [], "\n".join(problems)
