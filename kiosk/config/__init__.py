"""The campaign file: TOML → typed, validated models.

``models`` are split by subject (``base``, ``campaign``, ``devices``); ``loading`` reads a file
and turns every problem into a message naming the file, the key and what is allowed. Checks that
need the templates or the printer code (above this layer) are in ``kiosk.app.preflight``.
"""

from kiosk.config.base import (
    PLACEHOLDER_DONATION_MARK,
    EmailAddress,
    LanguageCode,
    Localized,
    LocalizedLines,
)
from kiosk.config.campaign import (
    Campaign,
    CampaignInfo,
    Donation,
    LetterSettings,
    Recipient,
    SessionSettings,
    StaffSettings,
    StartingText,
)
from kiosk.config.devices import EmailSettings, PrinterSettings
from kiosk.config.hub import HubSettings
from kiosk.config.loading import ConfigError, load_campaign, read_campaign
from kiosk.config.office_printer import OfficePrinterSettings

__all__ = [
    "PLACEHOLDER_DONATION_MARK",
    "Campaign",
    "CampaignInfo",
    "ConfigError",
    "Donation",
    "EmailAddress",
    "EmailSettings",
    "HubSettings",
    "LanguageCode",
    "LetterSettings",
    "Localized",
    "LocalizedLines",
    "OfficePrinterSettings",
    "PrinterSettings",
    "Recipient",
    "SessionSettings",
    "StaffSettings",
    "StartingText",
    "load_campaign",
    "read_campaign",
]
