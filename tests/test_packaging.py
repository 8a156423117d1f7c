"""The wheel and the sdist: what they carry, and the kiosk installed from the wheel, run as an
organiser would, from a folder where the source tree cannot be imported.

The build is real (``python -m build``: the sdist, then the wheel from the sdist, in isolated
environments), once for the module. The installed kiosk gets a venv of its own with only the
wheel in it; its dependencies (PySide6 and the rest, 400 MB) are borrowed from the test venv
through a ``.pth`` line, which adds that folder to the path without running the editable
install's hook there, so ``import kiosk`` can only find the wheel's copy. The CI step
(scripts/check-installed-wheel) does the same with pipx and real downloads.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import kiosk.paths as paths
from kiosk.errors import Refusal

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ("assets", "templates")


def _tracked(*folders: str) -> list[str]:
    """Files of ``folders`` as a fresh clone has them (git's list: no caches, no one's
    untracked work in progress)."""
    out = subprocess.run(["git", "ls-files", "-z", "--", *folders], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return sorted(p for p in out.split("\0") if p)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, built as a release would be (the wheel from the sdist)."""
    base = tmp_path_factory.mktemp("dist")
    tools = base / "tools"
    subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
    subprocess.run([tools / "bin" / "python", "-m", "pip", "install", "-q", "build"],
                   check=True, timeout=600)
    out = base / "out"
    built = subprocess.run([tools / "bin" / "python", "-m", "build", "--outdir", str(out),
                            str(ROOT)], capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = out.glob("letter_kiosk-*-py3-none-any.whl")
    (sdist,) = out.glob("letter_kiosk-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A venv holding the wheel and nothing else of the kiosk; its folder."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--no-deps", str(dist["wheel"])], check=True, timeout=300)
    return venv


@pytest.fixture
def kiosk(installed, tmp_path):
    """Run the installed ``letter-kiosk`` from an empty folder, as its user would."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env |= {"QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config")}

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([installed / "bin" / "letter-kiosk", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=timeout)

    return run


# --- what the archives carry --------------------------------------------------------------------


def test_the_wheel_carries_the_sample_campaign_and_templates_inside_the_package(dist):
    with zipfile.ZipFile(dist["wheel"]) as whl:
        names = set(whl.namelist())
        for rel in _tracked(*BUNDLED):
            inside = f"kiosk/_bundled/{rel}"
            assert inside in names, f"{rel} is not in the wheel"
            assert whl.read(inside) == (ROOT / rel).read_bytes()
    # Nothing at the top of site-packages but the package: no stray assets/ beside it.
    assert {n.split("/")[0] for n in names} == {"kiosk", dist["wheel"].name.split("-py3")[0]
                                                + ".dist-info"}


def test_the_wheel_carries_every_data_file_of_the_package(dist):
    data = [p for p in _tracked("kiosk") if not p.endswith(".py")]
    assert data, "git listed no data files under kiosk/"
    with zipfile.ZipFile(dist["wheel"]) as whl:
        names = set(whl.namelist())
        entry_points = whl.read(next(n for n in names if n.endswith("entry_points.txt")))
    assert [p for p in data if p not in names] == []
    assert b"letter-kiosk = kiosk.cli:main" in entry_points


def test_the_sdist_carries_the_folders_as_they_are_in_the_repository(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert [p for p in _tracked(*BUNDLED) if p not in names] == []
    assert {"setup.py", "MANIFEST.in", "pyproject.toml"} <= names


# --- the installed kiosk ------------------------------------------------------------------------


def test_the_installed_kiosk_is_the_wheel_and_finds_its_sample_through_the_package(installed,
                                                                                     tmp_path):
    proc = subprocess.run(
        [installed / "bin" / "python", "-c",
         "import kiosk, kiosk.paths as p; print(kiosk.__file__); print(p.sample_campaign())"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    module, sample = (Path(line) for line in proc.stdout.splitlines())
    assert module.is_relative_to(installed) and not module.is_relative_to(ROOT)
    assert sample == module.parent / "_bundled" / "assets" / "sample-campaign.toml"


def test_check_config_of_the_installed_kiosk_uses_the_bundled_sample(kiosk, installed):
    proc = kiosk("check-config")
    assert proc.returncode == 0, proc.stderr
    assert "_bundled/assets/sample-campaign.toml: OK" in proc.stdout
    assert str(installed) in proc.stdout


def test_init_campaign_copies_the_sample_to_edit_and_refuses_to_overwrite(kiosk, tmp_path):
    target = tmp_path / "my campaign"
    proc = kiosk("init-campaign", str(target))
    assert proc.returncode == 0, proc.stderr
    copy = target / "campaign.toml"
    assert f"letter-kiosk check-config '{copy}'" in proc.stdout  # the next command, pasteable
    assert sorted(p.relative_to(target).as_posix() for p in (target / "templates").rglob("*.j2")
                  ) == [p for p in _tracked("templates") if p.endswith(".j2")]
    checked = kiosk("check-config", str(copy))
    assert checked.returncode == 0, checked.stderr
    assert f"{copy}: OK" in checked.stdout

    # The copy reads its own templates: break one, and the copy (only) is refused, by name.
    broken = target / "templates" / "letters" / "en" / "short.txt.j2"
    broken.write_text("{% if %}\n", encoding="utf-8")
    refused = kiosk("check-config", str(copy))
    assert refused.returncode == 2
    assert "short.txt.j2" in refused.stderr and "Traceback" not in refused.stderr
    assert kiosk("check-config").returncode == 0

    before = copy.read_bytes()
    again = kiosk("init-campaign", str(target))
    assert again.returncode == 2
    assert again.stderr.startswith(f"Not overwriting {copy}")
    assert "Traceback" not in again.stderr and copy.read_bytes() == before


def test_init_campaign_into_a_file_is_refused(kiosk, tmp_path):
    (tmp_path / "taken").write_text("mine")
    proc = kiosk("init-campaign", str(tmp_path / "taken"))
    assert proc.returncode == 2
    assert "is a file, not a folder" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "taken").read_text() == "mine"


def test_render_screens_from_the_installed_kiosk(kiosk, tmp_path):
    out = tmp_path / "screens"
    proc = kiosk("render-screens", "--no-keyboard", "--out", str(out),
                 "--data-dir", str(tmp_path / "data"), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {"1-attract-en.png", "3-write-fr.png"} <= {p.name for p in out.glob("*.png")}


def test_install_service_print_runs_the_installed_kiosk(kiosk, installed, tmp_path):
    assert kiosk("init-campaign", str(tmp_path / "c")).returncode == 0
    proc = kiosk("install-service", "--print", "--config", str(tmp_path / "c" / "campaign.toml"))
    assert proc.returncode == 0, proc.stderr
    script = installed / "bin" / "letter-kiosk"
    assert f"ExecStart={script} run --config {tmp_path / 'c' / 'campaign.toml'}\n" in proc.stdout
    assert f"ExecStartPre=-{script} keep-screen-on\n" in proc.stdout


# --- the source tree, and the other ways the bundle is found ------------------------------------


def test_a_clone_runs_on_the_folders_at_the_top_of_the_tree():
    assert paths.bundled_root() == ROOT
    assert paths.SAMPLE_CAMPAIGN == ROOT / "assets" / "sample-campaign.toml"
    proc = subprocess.run([sys.executable, "main.py", "check-config"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{ROOT / 'assets' / 'sample-campaign.toml'}: OK" in proc.stdout


def test_a_zipped_package_has_its_bundle_copied_out_once(tmp_path, monkeypatch):
    archive = tmp_path / "kiosk.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for rel in _tracked(*BUNDLED):
            z.write(ROOT / rel, f"kiosk/_bundled/{rel}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = zipfile.Path(archive, "kiosk/_bundled/")
    first = paths._on_disk(tree)
    assert first.is_relative_to(tmp_path / "cache")
    for rel in _tracked(*BUNDLED):
        assert (first / rel).read_bytes() == (ROOT / rel).read_bytes()
    assert paths._on_disk(tree) == first


def test_an_installation_without_its_sample_is_refused_plainly(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "sample_campaign", lambda: tmp_path / "missing.toml")
    with pytest.raises(Refusal, match="has no sample campaign"):
        paths.resolve_config(None)
    assert paths.resolve_config("mine.toml") == Path("mine.toml").resolve()
