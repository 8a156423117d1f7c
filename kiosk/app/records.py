"""The kiosk's records: the day's counts, the export staff carry away, and the retention purge
that removes visitors' personal details once their letters are delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.app.context import KIOSK

if TYPE_CHECKING:
    from kiosk.app.context import Context
    from kiosk.export_targets import DriveFinder, ExportTarget
    from kiosk.exports import ExportResult
    from kiosk.store.stats import Counts


@dataclass(frozen=True)
class Purged:
    letters: int
    days: int
    wal_cleared: bool  # False: old pages may linger in the WAL until the next quiet moment


class Records:
    def __init__(self, ctx: Context):
        self._ctx = ctx

    def counts(self, *, today: bool) -> Counts:
        """Letters by recipient, channel and language: today's (local time), or all of them."""
        from kiosk.store.stats import counts, local_day_start_utc

        return counts(self._ctx.store, local_day_start_utc() if today else None)

    def export(self, out_dir: Path, *, lang: str, target: str | None = None,
               now: datetime | None = None) -> ExportResult:
        """Write counts.csv, letters.pdf and opt-ins.csv into ``out_dir`` (see kiosk.exports);
        ``target`` names where, for the audit log (a drive by label and size)."""
        from kiosk.exports import export_all

        return export_all(self._ctx.campaign, self._ctx.store, out_dir, now=now, lang=lang,
                          actor=self._ctx.actor, target=target)

    def export_targets(self, drives: DriveFinder) -> list[ExportTarget]:
        """Every USB drive mounted now, then the data dir: staff choose one each time."""
        from kiosk.export_targets import data_dir_target

        return [*drives.drives(), data_dir_target(self._ctx.data_dir)]

    def export_to(self, target: ExportTarget, folder: str, drives: DriveFinder, *,
                  lang: str) -> tuple[Path, ExportResult]:
        """Export into the new ``folder`` on the ``target`` staff chose and confirmed, and
        nowhere else. A failure is recorded (its kind only: a message could quote a path on a
        visitor's stick) and raised."""
        from kiosk.export_targets import make_export_folder

        where = target.describe("en")  # the audit log's language
        try:
            out_dir = make_export_folder(target, folder, drives)
            return out_dir, self.export(out_dir, lang=lang, target=where)
        except Exception as e:
            self._ctx.audit("export.failed", f"to {where}: {type(e).__name__}")
            raise

    def purge(self, days: int | None = None) -> Purged:
        """Remove personal details from letters delivered ``days`` or more ago (default: the
        campaign's retention period), then cut the WAL so no old page keeps them."""
        from kiosk.store.db import clear_wal
        from kiosk.store.retention import purge_personal_details

        days = self._ctx.campaign.staff.retention_days if days is None else days
        n = purge_personal_details(self._ctx.store, days, actor=self._ctx.actor,
                                   hub=self._ctx.campaign.hub.enabled)
        return Purged(n, days, clear_wal(self._ctx.store.conn))

    def purge_due(self) -> int:
        """The kiosk's own purge at start-up, recorded as done by the kiosk, not by staff."""
        from kiosk.store.retention import purge_personal_details

        campaign = self._ctx.campaign
        return purge_personal_details(self._ctx.store, campaign.staff.retention_days,
                                      actor=KIOSK, hub=campaign.hub.enabled)
