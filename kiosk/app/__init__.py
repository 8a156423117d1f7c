"""The application core, Qt-free: ``open_kiosk`` once per process, then its parts' methods
(``letters``, ``printing``, ``outbox``, ``records``). See kiosk/app/core.py."""

from kiosk.app.context import CLI, KIOSK, STAFF
from kiosk.app.core import Kiosk, open_kiosk

__all__ = ["CLI", "KIOSK", "STAFF", "Kiosk", "open_kiosk"]
