"""The Qt binding must not leak references to None.

PySide6 6.12.0 returns None from void methods (setText, setBold...) without a reference. On
Python 3.11, where None is an ordinary object, the kiosk then aborts with "deallocating None"
after some thousand calls: within minutes of an event. pyproject excludes that release; this
test fails if a binding with the same fault is ever installed.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_methods_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("x")
        label.setWordWrap(True)
    after = sys.getrefcount(None)
    # Other code may take or drop a few references meanwhile; a leak is one per call.
    assert after - before > -50, f"None lost {before - after} references in 1000 calls"
