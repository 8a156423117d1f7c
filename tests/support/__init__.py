"""What the tests share, by kind:

- ``peers/``: the real peers the kiosk talks to (an ESC/POS network printer, an SMTP server, USB
  sticks, real disks) and their pytest fixtures; ``postgres.py``, ``tcp_proxy.py`` and
  ``pg_fixtures.py``: a private PostgreSQL cluster and a misbehaving TCP proxy in front of it;
- ``campaigns.py``: modified copies of the sample campaign;
- ``letters.py``: letters kept in a store as the kiosk keeps them; ``stores.py``: store files
  with letters in them, and ways to damage them;
- ``waiting.py``: waiting for a condition in another thread or process;
- ``checks/``: checks run over what the kiosk made (a screen's accessibility audit, an email's
  headers, a command's refusal);
- ``atspi/`` and ``probes/``: scripts run in processes of their own (the AT-SPI harness under
  Debian's Python; the on-screen keyboard probes under an X server).

Every fixture plugin here is registered once, in ``tests/conftest.py``. The kiosk window is
walked through by ``kiosk.ui.visitor.Visitor`` (the ``visitor`` fixture), as ``render-screens``
and the benchmarks walk it.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project: main.py, kiosk/, assets/
ATSPI_SCRIPTS = Path(__file__).resolve().parent / "atspi"  # scripts for Debian's Python
PROBE_SCRIPTS = Path(__file__).resolve().parent / "probes"  # scripts for the kiosk's Python
