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
from tests.a11y_audit import audit

SCREENS = {"1280x800": (1280, 800), "1920x1080": (1920, 1080), "portrait": (1080, 1920)}


@pytest.mark.parametrize("palette", [PALETTE, HIGH_CONTRAST], ids=["standard", "contrast"])
def test_theme_contrast(palette):
    for name, (fg, bg) in text_pairs(palette).items():
        assert contrast_ratio(fg, bg) >= 4.5, name
    for name, (fg, bg) in non_text_pairs(palette).items():
        assert contrast_ratio(fg, bg) >= 3.0, name


def _visit(window, campaign):
    """Yield at each step of a full journey, with realistic content."""
    j = window.journey
    yield Step.ATTRACT
    j.start()
    yield Step.RECIPIENTS
    for r in campaign.recipients:
        window.pages[Step.RECIPIENTS].cards[r.id].click()
    j.next()
    window.pages[Step.WRITE].choice_buttons[campaign.starting_texts[0].id].click()
    yield Step.WRITE
    j.next()
    j.update(first_name="Marie-Ève", last_name="Castonguay-Bélanger", city="Saint-Boniface",
             email="marie-eve@example.com")
    window.pages[Step.SIGN].enter()
    yield Step.SIGN
    j.next()
    yield Step.REVIEW
    j.next()
    window.pages[Step.DELIVER].print_card.setChecked(True)
    yield Step.DELIVER
    window.ask_start_over()
    yield "start-over dialog", window.confirm
    window.confirm.dismiss()
    window.idle.warn()
    yield "still-there dialog", window.idle.overlay
    window.idle.overlay.dismiss()
    window.idle.countdown.stop()
    window.send()
    yield Step.THANKS
    j.finish()
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
def test_every_screen_passes_the_audit(qtbot, campaign, data_dir, screen, contrast, size):
    w = build_window(campaign, data_dir, kiosk_mode=False)
    qtbot.addWidget(w, before_close_func=lambda w: w.services.stop())
    w.setFixedSize(*SCREENS[screen])
    w.show()
    problems = []
    for lang in campaign.languages:
        for step in _visit(w, campaign):
            w.journey.set_language(lang)
            w.journey.update(text_size=size, high_contrast=contrast)
            w.apply_theme()
            for _ in range(8):  # layouts settle over a few turns of the event loop
                QApplication.processEvents()
            name, root = step if isinstance(step, tuple) else (step, w)
            # A dialog or staff screen covers the page: check what can be seen and reached.
            problems += [f"{lang}/{name}: {p}" for p in audit(root)]
    assert problems == [], "\n".join(problems)
