"""Where things live: the sample campaign and letter templates the kiosk ships with, and the
kiosk's data dir."""

from __future__ import annotations

import logging
import shutil
import stat
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk import APP_NAME, __version__

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# The top of the source tree this module runs from (a clone, an editable install); in an
# installed wheel it is site-packages, where nothing of the kiosk's own may be looked for.
SOURCE_ROOT = Path(__file__).resolve().parent.parent
# In the wheel, assets/ and templates/ are package data under this folder (setup.py copies them
# there at build time): one layout, so the sample's templates_dir = "../templates" holds in both.
BUNDLED_IN_PACKAGE = "_bundled"
SAMPLE_IN_BUNDLE = Path("assets", "sample-campaign.toml")
log = logging.getLogger(__name__)


@cache
def bundled_root() -> Path:
    """The folder holding ``assets/`` and ``templates/``: inside the installed package, found
    through importlib.resources, or else the top of the source tree when that is where the kiosk
    runs from. An installation missing both gets the package's path, so that what is missing is
    named where it should have been."""
    from importlib import resources

    packaged = resources.files("kiosk") / BUNDLED_IN_PACKAGE
    if packaged.is_dir():
        return _on_disk(packaged)
    if _is_source_tree(SOURCE_ROOT):
        return SOURCE_ROOT
    return Path(str(packaged))


def sample_campaign() -> Path:
    return bundled_root() / SAMPLE_IN_BUNDLE


def __getattr__(name: str) -> Path:
    # SAMPLE_CAMPAIGN, as tests and older callers know it, worked out on first use.
    if name == "SAMPLE_CAMPAIGN":
        return sample_campaign()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _is_source_tree(root: Path) -> bool:
    return (root / "pyproject.toml").is_file() and (root / SAMPLE_IN_BUNDLE).is_file()


def _on_disk(tree: Traversable) -> Path:
    """A real folder for ``tree``. The campaign loader reads templates beside the campaign file,
    so a package imported from a zip (zipapp, zipimport) has its bundle copied out once per
    version into the user's cache; a normal install is already a folder."""
    if isinstance(tree, Path):
        return tree
    from platformdirs import user_cache_path

    target = user_cache_path(APP_NAME, appauthor=False) / f"bundled-{__version__}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bundled-", dir=target.parent))
    _copy_tree(tree, staging)
    try:
        staging.rename(target)
    except OSError:  # another process put it there first: theirs is the same
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _copy_tree(tree: Traversable, dest: Path) -> None:
    for child in tree.iterdir():
        if child.is_dir():
            (dest / child.name).mkdir()
            _copy_tree(child, dest / child.name)
        else:
            (dest / child.name).write_bytes(child.read_bytes())


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
    """The campaign file given, or the sample; an installation without its sample is refused
    with what to do, not left to a bare "file not found" under site-packages."""
    if given:
        return Path(given).expanduser().resolve()
    sample = sample_campaign()
    if not sample.is_file():
        from kiosk.errors import Refusal

        raise Refusal(
            f"This installation of Letter Kiosk has no sample campaign (looked for {sample}).",
            ["Give your own campaign file with --config FILE, or reinstall Letter Kiosk "
             "from a complete wheel (docs/deployment.md)."])
    return sample
