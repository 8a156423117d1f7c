"""Checks a screen the way an accessibility reviewer would: targets, clipping, names."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from kiosk.ui.widgets import Card, WrapCheck

MIN_TARGET = 44
INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit)


def _shown(w: QWidget, root: QWidget) -> bool:
    return w.isVisibleTo(root) and w.width() > 0 and w.height() > 0


def _inside_card(w: QWidget) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, Card | WrapCheck):
            return True
        p = p.parentWidget()
    return False


def audit(root: QWidget) -> list[str]:
    """Problems on the screen ``root`` shows now; an empty list means it passes."""
    problems: list[str] = []
    for w in root.findChildren(QWidget):
        if not _shown(w, root):
            continue
        text = getattr(w, "text", None)
        name = w.accessibleName() or (text() if callable(text) else type(w).__name__)
        if _cut_at_the_side(w, root):
            problems.append(f"cut off at the side (wider than what shows it): {name!r}")
        if isinstance(w, INTERACTIVE) and w.isEnabled():
            target = w
            if isinstance(w.parentWidget(), WrapCheck):
                target = w.parentWidget()  # the box and its wording are one target
            if target.width() < MIN_TARGET or target.height() < MIN_TARGET:
                problems.append(f"target too small: {name!r} {target.width()}x{target.height()}")
            iface = QAccessible.queryAccessibleInterface(w)
            if not iface.text(QAccessible.Text.Name).strip():
                problems.append(f"no accessible name: {type(w).__name__}")
        if isinstance(w, QLabel) and not w.text().strip() and w.pixmap().isNull():
            # A screen reader finds it and reads nothing: hide a label while it has no text.
            problems.append(f"empty label showing: {w.parent().metaObject().className()}")
        if isinstance(w, QLabel) and w.text().strip() and not _inside_scroll_only(w):
            fm = w.fontMetrics()
            width = w.contentsRect().width()
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height() + 2:
                    problems.append(f"text cut off (height {w.height()} < {need}): {name!r}")
            else:
                lines = w.text().split("\n")
                widest = max(fm.horizontalAdvance(line) for line in lines)
                if widest > width + 2:
                    problems.append(f"text cut off (width {width} < {widest}): {name!r}")
        elif isinstance(w, QAbstractButton) and not isinstance(w, Card) and w.text():
            fm = w.fontMetrics()
            need_w = max(fm.horizontalAdvance(t) for t in w.text().split("\n")) + 16
            need_h = fm.height() * (w.text().count("\n") + 1)
            if need_w > w.width() or need_h > w.height():
                problems.append(f"button text cut off: {w.text()!r} {w.width()}x{w.height()} "
                                f"< {need_w}x{need_h}")
    return problems


def _cut_at_the_side(w: QWidget, root: QWidget) -> bool:
    """Part of ``w`` is outside what its parents show, left or right. Pages scroll up and down
    only: something wider than the screen is never seen whole (a page wider than its viewport
    cut every label and button on its right)."""
    left = w.mapTo(root, QPoint(0, 0)).x()
    right = left + w.width()
    shown_left, shown_right = left, right
    p = w.parentWidget()
    while p is not None:
        p_left = p.mapTo(root, QPoint(0, 0)).x() if p is not root else 0
        shown_left = max(shown_left, p_left)
        shown_right = min(shown_right, p_left + p.width())
        if p is root:
            break
        p = p.parentWidget()
    return shown_right - shown_left < w.width() - 2


def _inside_scroll_only(w: QWidget) -> bool:
    """Nothing is exempt: a label in a scroll area must still be tall enough for its text,
    or its last lines can never be scrolled to."""
    return False
