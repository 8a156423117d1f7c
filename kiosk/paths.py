"""Where things live: the bundled sample campaign and the kiosk's data dir."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from kiosk import APP_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
SAMPLE_CAMPAIGN = PROJECT_ROOT / "assets" / "sample-campaign.toml"


def default_data_dir() -> Path:
    """The platform's user data dir, e.g. ~/.local/share/letter-kiosk on Linux."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def resolve_data_dir(given: str | Path | None) -> Path:
    """The data dir, made if missing and kept private to the kiosk's user where it can be.

    A folder that cannot be changed (a read-only disk) is still returned: commands that only
    read work there, and the store refuses the others with a plain message.
    """
    from kiosk.store.refusals import StorageError

    path = Path(given).expanduser() if given else default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StorageError("not_a_folder", path) from None
    except OSError as e:
        raise StorageError("cannot_create", path, error=e.strerror or str(e)) from None
    if not path.is_dir():
        raise StorageError("not_a_folder", path)
    # Letters and contact details live here: keep it private to the kiosk's user.
    if stat.S_IMODE(path.stat().st_mode) != 0o700:
        try:
            path.chmod(0o700)
        except OSError as e:
            log.warning("cannot make %s private to its owner: %s", path, e.strerror or e)
    return path.resolve()


def resolve_config(given: str | Path | None) -> Path:
    return Path(given).expanduser().resolve() if given else SAMPLE_CAMPAIGN
