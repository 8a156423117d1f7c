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


def _staff_screens(w, tap):
    """The staff screens one after the other, each as staff first see it: the panel, the
    export's drive list, envelopes and labels, its print question, and the drive list chosen
    for the envelopes' PDF."""
    staff = w.staff
    staff.panel.open_panel()
    yield "panel", staff.panel
    staff.export.open_screen()
    yield "export", staff.export
    staff.export.close_screen()
    tap(staff.panel.buttons["envelopes"])
    yield "envelopes", staff.envelopes
    tap(staff.envelopes.print)
    yield "envelopes print", staff.envelopes.confirm
    tap(staff.envelopes.confirm.no)
    tap(staff.envelopes.save)
    yield "envelopes save", staff.export


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_staff_control_is_named(qtbot, tap, open_window, campaign, lang):
    from kiosk.i18n import catalog

    office = campaign.office_printer.model_validate({"enabled": True, "queue": "office"})
    w = open_window(kiosk_mode=True, chosen=campaign.model_copy(
        update={"office_printer": office}))
    _printed_today(w.services.store, campaign)
    w.journey.set_language(lang)
    other = "fr" if lang == "en" else "en"
    other_words = {v for v in catalog(other).values() if v not in catalog(lang).values()}
    for where, screen in _staff_screens(w, tap):
        controls = _reachable_controls(screen)
        assert controls, f"no controls on {where}"
        for c in controls:
            iface = QAccessible.queryAccessibleInterface(c)
            name = iface.text(QAccessible.Text.Name)
            assert name.strip(), f"{type(c).__name__} on {where}/{lang} has no accessible name"
            assert name not in other_words, f"{name!r} is in the wrong language on {where}"
            assert iface.role() in (QAccessible.Role.PushButton, QAccessible.Role.CheckBox,
                                    QAccessible.Role.Button), (where, name, iface.role())


def _printed_today(store, campaign) -> None:
    """A letter printed today, so the envelopes screen offers printing and saving."""
    from kiosk.domain.letter import Signer, make_letter
    from kiosk.store import print_jobs

    letter = make_letter(campaign, "pm", "en", "Please act.", Signer(first_name="Ann"))
    [kept] = store.keep(session_id="s", campaign_id=campaign.campaign.id, letters=[letter],
                        by_print=True, by_email=False, emails=[None])
    print_jobs.mark_printed(store, kept.print_job_id, "online")
