"""The real peers the kiosk talks to, run by the tests: an ESC/POS network printer, an SMTP
server, USB sticks in a mount table, real disks; and the pytest fixtures that start them
(registered once, in tests/conftest.py)."""
