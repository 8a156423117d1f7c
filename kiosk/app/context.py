"""What every part of the application core shares: the campaign, the data dir, the open store
and who is acting (written to the audit log with each change)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.store import Store

# Who made a change, as the audit log names them.
STAFF = "staff"  # someone at the staff panel, after the PIN
CLI = "cli"  # someone at a terminal, with access to the kiosk's account
KIOSK = "kiosk"  # the kiosk by itself (the retention purge at start-up)


@dataclass(frozen=True)
class Context:
    campaign: Campaign
    data_dir: Path
    store: Store
    actor: str

    def audit(self, action: str, detail: str = "") -> None:
        self.store.audit(self.actor, action, detail)
