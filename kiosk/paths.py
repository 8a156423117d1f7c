"""Where things live: the bundled sample campaign and the kiosk's data dir."""

from __future__ import annotations

from pathlib import Path

from kiosk import APP_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CAMPAIGN = PROJECT_ROOT / "assets" / "sample-campaign.toml"


def default_data_dir() -> Path:
    """The platform's user data dir, e.g. ~/.local/share/letter-kiosk on Linux."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def resolve_data_dir(given: str | Path | None) -> Path:
    path = Path(given).expanduser() if given else default_data_dir()
    path.mkdir(parents=True, exist_ok=True)
    # Letters and contact details live here: keep it private to the kiosk's user.
    path.chmod(0o700)
    return path.resolve()


def resolve_config(given: str | Path | None) -> Path:
    return Path(given).expanduser().resolve() if given else SAMPLE_CAMPAIGN
