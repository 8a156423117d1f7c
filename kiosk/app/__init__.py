"""The application core, Qt-free: ``kiosk.app.core.open_kiosk`` once per process, then its
parts' methods (``letters``, ``printing``, ``outbox``, ``records``). See kiosk/app/core.py.

Empty on purpose: a command that needs one part (``check-config`` needs only the preflight)
does not load the others."""
