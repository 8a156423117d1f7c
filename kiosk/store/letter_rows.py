"""A kept letter as the store holds it: one typed row, the same wherever the letter goes (this
kiosk's store, the event's hub).

``content_sha256`` names what the letter says and who wrote it, so that the same UUID arriving
at the hub twice is told apart from the same UUID with other content (never overwritten).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any

# What is not content: where the row sits, and what happened to it afterwards.
_NOT_CONTENT = frozenset({"id", "uploaded_at", "personal_purged_at"})


@dataclass(frozen=True)
class StoredLetter:
    id: int
    uuid: str
    kiosk_id: str
    session_id: str
    created_at: str  # UTC, ISO 8601, by this kiosk's clock
    campaign_id: str
    recipient_id: str
    language: str
    salutation: str
    body: str
    closing: str
    signature: str  # the lines under the closing, newline-separated
    full_text: str  # exactly what was reviewed, printed, emailed
    address_lines: tuple[str, ...]
    postage_free: bool
    recipient_email: str | None
    sign_mode: str
    first_name: str
    last_name: str
    city: str
    postal_code: str
    email: str
    short_name: str
    send_copy: bool
    opt_in: bool
    opt_in_wording: str | None
    opt_in_at: str | None
    by_print: bool
    by_email: bool
    personal_purged_at: str | None
    uploaded_at: str | None

    @classmethod
    def from_row(cls, row: Any) -> StoredLetter:
        """From a row of the ``letters`` table (any mapping with its columns)."""
        values = {f.name: row[f.name] for f in fields(cls)}
        values["address_lines"] = tuple(json.loads(row["address_lines"]))
        for flag in ("postage_free", "send_copy", "opt_in", "by_print", "by_email"):
            values[flag] = bool(values[flag])
        return cls(**values)

    def content(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in _NOT_CONTENT}

    def content_sha256(self) -> str:
        canonical = json.dumps(self.content(), ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
