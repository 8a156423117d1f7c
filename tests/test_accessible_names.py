"""Every control a visitor can reach has a role and a name, in the language on screen."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QWidget

from kiosk.domain.journey import Step
from kiosk.ui.app import build_window

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit)


def _walk_to(v, step: Step) -> None:
    """Walk the visitor ``v`` from the attract screen to ``step``."""
    if step is Step.ATTRACT:
        return
    v.start()
    if step is Step.RECIPIENTS:
        return
    v.choose("pm")
    v.next()
    if step is Step.WRITE:
        return
    v.starting_text("asylum")
    v.next()
    if step is Step.SIGN:
        return
    v.sign(first="Ana", last="Lopes", email="ana@example.com")
    v.review()
    if step is Step.REVIEW:
        return
    v.next()
    if step is Step.DELIVER:
        return
    v.send(print=True)


def _reachable_controls(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, INTERACTIVE) and w.isVisibleTo(root) and w.isEnabled()]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("step", list(Step))
def test_every_control_is_named(qtbot, visitor, campaign, data_dir, lang, step):
    w = build_window(campaign, data_dir, kiosk_mode=False)
    qtbot.addWidget(w)
    w.setFixedSize(1280, 800)
    w.show()
    v = visitor(w)
    v.language(lang)
    _walk_to(v, step)
    assert w.journey.step is step
    controls = _reachable_controls(w)
    assert controls, "no controls found: the walk did not reach the page"
    other = "fr" if lang == "en" else "en"
    from kiosk.i18n import catalog

    other_words = {v for v in catalog(other).values() if v not in catalog(lang).values()}
    for c in controls:
        iface = QAccessible.queryAccessibleInterface(c)
        assert iface is not None and iface.isValid()
        name = iface.text(QAccessible.Text.Name)
        assert name.strip(), f"{type(c).__name__} on {step} has no accessible name"
        assert name not in other_words, f"{name!r} is in the wrong language on {step}/{lang}"
        assert iface.role() in (QAccessible.Role.PushButton, QAccessible.Role.CheckBox,
                                QAccessible.Role.EditableText, QAccessible.Role.RadioButton,
                                QAccessible.Role.Button), (name, iface.role())
    w.services.stop()
