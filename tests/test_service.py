"""``install-service``, ``uninstall-service`` and ``keep-screen-on``, run as processes.

This machine (a container, as root) has no systemd user manager, so ``systemctl --user``
cannot answer here: the tests that install put a stand-in ``systemctl`` first on PATH, which
records what it was asked, and point XDG_CONFIG_HOME and HOME at temporary folders. What they
cannot show: that a real user manager starts the unit with a desktop session, restarts it after
a crash and leaves it stopped after exit 2. The unit's text is checked by systemd's own parser
(``systemd-analyze verify``), and the refusal without a user manager uses the real systemctl.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli.service_files import ServicePlan, autostart_text, systemd_quote, unit_text

LETTER_KIOSK = Path(sys.executable).parent / "letter-kiosk"
SAMPLE = Path(__file__).resolve().parent.parent / "assets" / "sample-campaign.toml"
RECORDER = """#!/bin/sh
echo "${0##*/} $*" >> "$FAKE_LOG"
case "$*" in *"$FAKE_FAIL"*) echo "Failed to $FAKE_FAIL: it went wrong" >&2; exit 1;; esac
"""


@pytest.fixture
def box(tmp_path):
    """A home, a config folder and a folder of stand-in programs for one test."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for name in ("systemctl", "xset"):
        _program(fake_bin, name, RECORDER)
    _program(fake_bin, "gsettings", RECORDER + '[ "$1" = writable ] && echo true\nexit 0\n')
    (tmp_path / "home").mkdir()
    return tmp_path


def _program(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)
    (folder / name).chmod(0o755)


def _env(box: Path, **extra: str) -> dict[str, str]:
    return {"PATH": str(box / "bin"), "HOME": str(box / "home"),
            "XDG_CONFIG_HOME": str(box / "config"), "XDG_DATA_HOME": str(box / "data"),
            "FAKE_LOG": str(box / "calls.log"), "FAKE_FAIL": "never-asked",
            "LANG": "C.UTF-8", **extra}


def _run(box: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LETTER_KIOSK, *args], env=_env(box, **extra), cwd=box,
                          capture_output=True, text=True, timeout=120)


def _calls(box: Path) -> list[str]:
    log = box / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def _unit(box: Path) -> Path:
    return box / "config" / "systemd" / "user" / "letter-kiosk.service"


def _autostart(box: Path) -> Path:
    return box / "config" / "autostart" / "letter-kiosk.desktop"


def _plain_refusal(proc: subprocess.CompletedProcess[str], says: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr


# --- the files ----------------------------------------------------------------------------------


def test_the_unit_restarts_on_failure_but_not_after_a_refusal_and_starts_with_the_desktop():
    text = unit_text(ServicePlan(("/opt/kiosk/bin/letter-kiosk",), Path("/srv/c.toml"), None))
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read_string(text)
    service = unit["Service"]
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    assert service["ExecStart"] == "/opt/kiosk/bin/letter-kiosk run --config /srv/c.toml"
    assert service["ExecStartPre"] == "-/opt/kiosk/bin/letter-kiosk keep-screen-on"
    assert service["EnvironmentFile"] == "-%E/letter-kiosk/env"
    assert unit["Install"]["WantedBy"] == "graphical-session.target"
    assert unit["Unit"]["PartOf"] == "graphical-session.target"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read_string(autostart_text())
    assert entry["Desktop Entry"]["Exec"].endswith(
        'systemctl --user start letter-kiosk.service"')


def test_systemd_quote_turns_off_specifiers_and_variables():
    assert systemd_quote("/plain/path") == "/plain/path"
    assert systemd_quote("50% off $HOME") == '"50%% off $$HOME"'
    assert systemd_quote('say "hi"\\') == '"say \\"hi\\"\\\\"'


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_reads_the_unit_as_written(tmp_path):
    """systemd's own parser: unknown keys, bad quoting, a missing program or an unknown
    specifier in a path are each reported; the unit must draw none of them."""
    program_dir = tmp_path / "my kiosk" / "bin"
    program_dir.mkdir(parents=True)
    program = program_dir / "letter-kiosk"
    _program(program_dir, "letter-kiosk", "#!/bin/sh\n")
    plan = ServicePlan((str(program),), tmp_path / "50%q off $HOME.toml", tmp_path / "data dir")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(tmp_path)}

    def verify(text: str) -> subprocess.CompletedProcess[str]:
        unit = tmp_path / "letter-kiosk.service"
        unit.write_text(text)
        return subprocess.run(["systemd-analyze", "verify", "--user", str(unit)], env=env,
                              capture_output=True, text=True, timeout=60)

    proc = verify(unit_text(plan))
    assert proc.returncode == 0 and "letter-kiosk.service" not in proc.stderr, proc.stderr
    # The check can fail: the same unit with one unknown key does.
    proc = verify(unit_text(plan).replace("RestartSec=", "Bogus=1\nRestartSec="))
    assert "Unknown key 'Bogus'" in proc.stderr


# --- install ------------------------------------------------------------------------------------


def test_install_writes_and_enables_the_unit_and_says_what_it_did(box):
    proc = _run(box, "install-service", "--config", str(SAMPLE), "--data-dir", str(box / "d"))
    assert proc.returncode == 0, proc.stderr
    unit = _unit(box).read_text()
    assert f"ExecStart={LETTER_KIOSK} run --config {SAMPLE} --data-dir {box / 'd'}\n" in unit
    assert _autostart(box).read_text() == autostart_text()
    assert _calls(box) == ["systemctl --user show-environment", "systemctl --user daemon-reload",
                           "systemctl --user enable letter-kiosk.service"]
    for said in (f"Wrote {_unit(box)}", f"Wrote {_autostart(box)}", "Enabled letter-kiosk",
                 "Screen blanking: turned off", "sudo systemctl mask sleep.target",
                 f"put them in {box / 'config' / 'letter-kiosk' / 'env'}"):
        assert said in proc.stdout
    assert "bundled sample campaign" in proc.stderr  # the sample is fine to try, not to run

    # Again, with another data dir: its own file is rewritten, no --replace needed.
    again = _run(box, "install-service", "--config", str(SAMPLE))
    assert again.returncode == 0, again.stderr
    assert "--data-dir" not in _unit(box).read_text()


def test_install_warns_when_the_secrets_file_can_be_read_by_others(box):
    env_file = box / "config" / "letter-kiosk" / "env"
    env_file.parent.mkdir(parents=True)
    env_file.write_text("KIOSK_SMTP_PASSWORD=x\n")
    env_file.chmod(0o644)
    proc = _run(box, "install-service", "--config", str(SAMPLE))
    assert f"others can read it (mode 644): chmod 600 {env_file}" in proc.stdout
    env_file.chmod(0o600)
    assert "readable by you only" in _run(box, "install-service", "--config", str(SAMPLE)).stdout


def test_without_systemctl_install_is_refused_and_writes_nothing(box):
    (box / "bin" / "systemctl").unlink()
    _plain_refusal(_run(box, "install-service"), "systemctl was not found")
    assert not (box / "config").exists()


@pytest.mark.skipif(not shutil.which("systemctl"), reason="needs the real systemctl")
def test_without_a_user_manager_install_is_refused_and_writes_nothing(box):
    """The real systemctl, as after `sudo -iu kiosk` or in this container: no user bus."""
    env = _env(box, PATH=os.pathsep.join(["/usr/bin", "/bin"]))
    env.pop("XDG_RUNTIME_DIR", None)
    probe = subprocess.run(["systemctl", "--user", "show-environment"], env=env,
                           capture_output=True, timeout=30)
    if probe.returncode == 0:
        pytest.skip("this machine has a user manager for this user")
    proc = subprocess.run([LETTER_KIOSK, "install-service"], env=env, cwd=box,
                          capture_output=True, text=True, timeout=120)
    _plain_refusal(proc, "This user's systemd (systemctl --user) cannot be reached")
    assert "not through sudo or su" in proc.stderr
    assert not (box / "config").exists()


def test_a_failed_enable_puts_back_what_was_there(box):
    _plain_refusal(_run(box, "install-service", FAKE_FAIL="enable"),
                   "systemctl --user enable letter-kiosk.service failed: Failed to enable")
    assert not _unit(box).exists() and not _autostart(box).exists()


def test_a_campaign_that_cannot_load_is_refused_before_anything_is_written(box):
    broken = box / "broken.toml"
    broken.write_text("[campaign]\nid = 3\n")
    _plain_refusal(_run(box, "install-service", "--config", str(broken)), str(broken))
    assert _calls(box) == [] and not (box / "config").exists()


def test_a_hand_written_unit_is_left_alone_unless_replace_is_given(box):
    _unit(box).parent.mkdir(parents=True)
    _unit(box).write_text("[Service]\nExecStart=/usr/bin/true\n")
    _plain_refusal(_run(box, "install-service"), "was not written by install-service")
    assert _unit(box).read_text() == "[Service]\nExecStart=/usr/bin/true\n"

    proc = _run(box, "uninstall-service")
    assert proc.returncode == 0 and f"Left alone: {_unit(box)}" in proc.stdout
    assert _unit(box).exists()

    assert _run(box, "install-service", "--replace").returncode == 0
    assert _unit(box).read_text().startswith("# Written by `letter-kiosk install-service`")


# --- uninstall ----------------------------------------------------------------------------------


def _installed(box: Path) -> Path:
    assert _run(box, "install-service").returncode == 0
    # What `systemctl --user enable` makes, which the stand-in does not.
    wants = _unit(box).parent / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "letter-kiosk.service").symlink_to(_unit(box))
    (box / "calls.log").unlink()
    return wants / "letter-kiosk.service"


def test_uninstall_stops_disables_and_removes_both_files(box):
    link = _installed(box)
    proc = _run(box, "uninstall-service")
    assert proc.returncode == 0, proc.stderr
    assert _calls(box) == ["systemctl --user disable --now letter-kiosk.service",
                           "systemctl --user daemon-reload"]
    assert not _unit(box).exists() and not _autostart(box).exists()
    assert not link.is_symlink()
    assert "Stopped and disabled letter-kiosk.service." in proc.stdout
    again = _run(box, "uninstall-service")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_uninstall_without_systemctl_still_removes_the_files_and_says_what_it_could_not_do(box):
    link = _installed(box)
    (box / "bin" / "systemctl").unlink()
    proc = _run(box, "uninstall-service")
    assert proc.returncode == 0, proc.stderr
    assert not _unit(box).exists() and not _autostart(box).exists()
    assert not link.is_symlink()
    assert "a kiosk running now was not stopped" in proc.stdout


# --- keep-screen-on -----------------------------------------------------------------------------


def test_keep_screen_on_turns_off_x11_blanking_and_gnomes_idle_settings(box):
    proc = _run(box, "keep-screen-on", DISPLAY=":7", DBUS_SESSION_BUS_ADDRESS="unix:path=/x")
    assert proc.returncode == 0, proc.stderr
    calls = _calls(box)
    assert "xset s off s noblank -dpms" in calls
    assert "gsettings set org.gnome.desktop.session idle-delay 0" in calls
    assert "gsettings set org.gnome.desktop.screensaver lock-enabled false" in calls
    assert proc.stdout.splitlines() == [
        "X11 (:7): screen saver and monitor power saving off",
        "GNOME: idle blank, lock and sleep off"]


def test_keep_screen_on_says_what_it_could_not_do_and_never_fails(box):
    assert _run(box, "keep-screen-on").stdout.startswith("No desktop session seen")
    proc = _run(box, "keep-screen-on", DISPLAY=":7", FAKE_FAIL="s off")
    assert proc.returncode == 0 and "xset failed" in proc.stdout
    (box / "bin" / "xset").unlink()
    proc = _run(box, "keep-screen-on", DISPLAY=":7", WAYLAND_DISPLAY="wayland-0")
    assert proc.returncode == 0
    assert "xset is not installed" in proc.stdout and "compositor's setting" in proc.stdout
