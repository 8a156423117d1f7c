"""A private CUPS scheduler for tests: ``cupsd -f`` on a temporary folder and a Unix socket.

The scheduler has its own ServerRoot, RequestRoot, CacheDir, StateDir, TempDir, logs and
ServerBin, and listens only on ``<folder>/cups.sock``; it never touches a system scheduler the
distribution's package may have started (nor its queues). Clients reach it with
``CUPS_SERVER=<folder>/cups.sock`` in their environment (:meth:`CupsScheduler.env`).

As root (this machine, CI) cupsd runs its children as ``User lp``/``Group lp``: the folders the
scheduler and its backends write (spool, cache, state, temp, logs, the queues' output folders)
belong to ``lp``. As anyone else it runs as that user (untested here: CI is root).

Each queue's device is ``kiosk-folder:<folder>``, a tiny backend of the harness's own (a shell
script in the private ServerBin): it writes each job, byte for byte, to ``<folder>/job-<N>.prn``
(``N`` the CUPS job number), through a ``.part`` file renamed at the end, so a test never reads
half a job. Why not ``file:`` with ``FileDevice Yes``: with Debian's cups-daemon alone (no
``/usr/lib/cups/filter``) a raw queue on a ``file:`` device marks the job completed and writes
nothing; and a ``file:`` device overwrites one file, so two jobs could not be told apart.

    cups = CupsScheduler().start()
    out = cups.add_queue("office")                   # a folder the lp user can write
    job = cups.lp("office", Path("letter.pdf"))      # "office-1"
    cups.wait_printed(out, job).read_bytes()         # the bytes the printer got
    cups.stop_queue("office"); cups.start_queue("office")   # cupsdisable / cupsenable
    cups.reject("office"); cups.accept("office")            # cupsreject / cupsaccept
    cups.jobs()                                      # jobs not completed (lpstat -o)
    cups.stop(); cups.start()                        # same socket, same queues
    cups.destroy()                                   # stop, remove the folder

The programs come from ``PATH``, ``/usr/sbin`` and ``/sbin``. Without them the start fails with
:class:`CupsMissing` (a failure, not a skip: ``scripts/setup`` installs cups-daemon and
cups-client).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Programs the harness runs: the scheduler (cups-daemon) and its clients (cups-client).
_PROGRAMS = ("cupsd", "lpadmin", "lp", "lpstat", "cupsenable", "cupsdisable", "cupsaccept",
             "cupsreject", "cancel")
_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")
# A Unix socket path is limited to 107 bytes on Linux (sun_path).
_SOCKET_PATH_MAX = 107
_SYSTEM_SERVERBIN = Path("/usr/lib/cups")

# The queues' device: each job to <folder>/job-<N>.prn, whole or not at all. Run by cupsd as
# the lp user (a backend that is not 0700 never runs as root): argv is job-id user title copies
# options [file]; with no file the job is on stdin; DEVICE_URI is kiosk-folder:<folder>.
_BACKEND = """#!/bin/sh
if [ $# -eq 0 ]; then
  echo 'direct kiosk-folder "Unknown" "Letter Kiosk test folder"'
  exit 0
fi
dir=${DEVICE_URI#kiosk-folder:}
part="$dir/.job-$1.part"
if [ -n "$6" ]; then cat -- "$6" >"$part" || exit 1; else cat >"$part" || exit 1; fi
chmod 0644 "$part" && mv -- "$part" "$dir/job-$1.prn" || exit 1
echo "INFO: job $1 written to $dir/job-$1.prn" >&2
exit 0
"""

WhichJobs = Literal["not-completed", "completed", "all"]


class CupsMissing(RuntimeError):
    """The CUPS scheduler or its client programs are not on this machine."""


class CupsError(RuntimeError):
    """The scheduler did not start or stop, or a client command failed; with its output and
    the end of the scheduler's log."""


@dataclass(frozen=True)
class Job:
    """A job as ``lpstat -o`` lists it: ``id`` is ``<queue>-<number>``."""

    id: str
    user: str
    size: int

    @property
    def queue(self) -> str:
        return self.id.rsplit("-", 1)[0]

    @property
    def number(self) -> int:
        return int(self.id.rsplit("-", 1)[1])


def find_program(name: str) -> str:
    """The path of a CUPS program; :class:`CupsMissing` if it is not installed."""
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in _SBIN if os.access(f"{d}/{name}", os.X_OK)), None
    )
    if not found:
        raise CupsMissing(
            f"CUPS is not installed (no `{name}` on PATH or in {', '.join(_SBIN)}). "
            "Run ./scripts/setup, which installs Debian's cups-daemon and cups-client."
        )
    return found


def _lp_ids() -> tuple[int, int] | None:
    """The lp user's uid and gid when we are root (cupsd then runs its children as lp)."""
    if os.geteuid() != 0:
        return None
    import grp
    import pwd

    try:
        return pwd.getpwnam("lp").pw_uid, grp.getgrnam("lp").gr_gid
    except KeyError:
        raise CupsMissing(
            "running cupsd as root needs the `lp` user and group (Debian's base system and "
            "cups-daemon make them)"
        ) from None


class CupsScheduler:
    """One private cupsd, in the foreground (``-f``) as a child of the test process.

    ``start()`` writes its configuration the first time, starts it and polls ``lpstat -r``
    until it answers (deadline ``start_timeout``). ``stop()`` ends it with SIGTERM and waits for
    it to exit; ``start()`` again keeps the socket, the queues and the jobs. ``destroy()`` stops
    it and removes its folder; so does the end of the interpreter if nobody did.
    """

    def __init__(self, *, start_timeout: float = 30.0, log_level: str = "info") -> None:
        self.start_timeout = start_timeout
        self.log_level = log_level
        self.base: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner = _lp_ids()

    # --- where things are -------------------------------------------------------------

    def _base(self) -> Path:
        if self.base is None:
            raise CupsError("the scheduler has not been started")
        return self.base

    @property
    def socket_path(self) -> Path:
        return self._base() / "cups.sock"

    @property
    def log_path(self) -> Path:
        return self._base() / "log" / "error_log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no scheduler log)"
        return "\n".join(text.splitlines()[-lines:])

    def env(self) -> dict[str, str]:
        """The process environment for a CUPS client of this scheduler (``CUPS_SERVER``)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUPS_")}
        env.pop("PRINTER", None)
        env.pop("LPDEST", None)
        env["CUPS_SERVER"] = str(self.socket_path)
        env["LC_ALL"] = "C"  # messages tests can read
        return env

    # --- running the client commands ------------------------------------------------------

    def run(self, *argv: str, check: bool = True,
            timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client program (``lp``, ``lpstat``...) against this scheduler."""
        cmd = [find_program(argv[0]), *argv[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=self.env(), stdin=subprocess.DEVNULL, cwd=self._base())
        if check and proc.returncode != 0:
            raise CupsError(
                f"{' '.join(argv)} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
                f"\n--- scheduler log ---\n{self.log_tail()}"
            )
        return proc

    def _own(self, path: Path) -> None:
        if self._owner is not None:
            os.chown(path, *self._owner)

    def _make_folder(self) -> None:
        base = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
        self.base = base
        if len(str(base / "cups.sock")) > _SOCKET_PATH_MAX:
            raise CupsError(f"{base} is too long for a Unix socket path: set TMPDIR=/tmp")
        base.chmod(0o755)  # the lp user goes through it to its folders and the socket
        for name in ("spool", "cache", "state", "tmp", "log", "out"):
            (base / name).mkdir(mode=0o755)
            self._own(base / name)
        (base / "root").mkdir(mode=0o755)
        # A private ServerBin: the system's helpers, and the kiosk-folder backend.
        serverbin = base / "bin"
        (serverbin / "backend").mkdir(parents=True, mode=0o755)
        (serverbin / "filter").mkdir(mode=0o755)
        for name in ("daemon", "notifier", "cgi-bin", "monitor"):
            if (_SYSTEM_SERVERBIN / name).exists():
                (serverbin / name).symlink_to(_SYSTEM_SERVERBIN / name)
        backend = serverbin / "backend" / "kiosk-folder"
        backend.write_text(_BACKEND)
        backend.chmod(0o755)
        if self._owner is not None:
            user, group = "lp", "lp"
        else:
            import grp
            import pwd

            user = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
        (base / "root" / "cups-files.conf").write_text(
            "# tests/support/cups.py\n"
            f"User {user}\nGroup {group}\nSystemGroup {group if self._owner is None else 'root'}\n"
            f"ServerRoot {base / 'root'}\nServerBin {serverbin}\n"
            f"RequestRoot {base / 'spool'}\nCacheDir {base / 'cache'}\n"
            f"StateDir {base / 'state'}\nTempDir {base / 'tmp'}\n"
            f"AccessLog {base / 'log' / 'access_log'}\nErrorLog {self.log_path}\n"
            f"PageLog {base / 'log' / 'page_log'}\n"
            "FileDevice Yes\n"
        )
        (base / "root" / "cupsd.conf").write_text(
            "# tests/support/cups.py\n"
            f"Listen {self.socket_path}\n"
            f"LogLevel {self.log_level}\n"
            "Browsing No\nWebInterface No\nDefaultAuthType None\n"
            "JobRetryInterval 1\nPreserveJobHistory Yes\nMaxJobs 0\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
        )

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> CupsScheduler:
        """Start the scheduler (configuring it the first time) and wait until it answers."""
        if self.running:
            return self
        cupsd = find_program("cupsd")
        for name in _PROGRAMS:
            find_program(name)
        if self.base is None:
            self._owner = _lp_ids()
            self._make_folder()
            atexit.register(self.destroy)
        root = self._base() / "root"
        with (self._base() / "cupsd.out").open("ab") as out:
            self._proc = subprocess.Popen(
                [cupsd, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self._base(), env={**self.env(), "LC_ALL": "C"},
            )
        self.wait_ready()
        return self

    def scheduler_answers(self) -> bool:
        """True when ``lpstat -r`` says the scheduler is running (it exits 0 either way)."""
        proc = self.run("lpstat", "-r", check=False, timeout=10)
        return proc.returncode == 0 and "scheduler is running" in proc.stdout

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll ``lpstat -r`` until the scheduler answers, or fail with its log."""
        deadline = time.monotonic() + (timeout or self.start_timeout)
        while not self.scheduler_answers():
            if self._proc is not None and self._proc.poll() is not None:
                raise CupsError(
                    f"cupsd exited with status {self._proc.returncode}:\n{self._output()}"
                    f"\n--- scheduler log ---\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise CupsError(
                    f"cupsd did not answer on {self.socket_path} within "
                    f"{timeout or self.start_timeout} s\n--- scheduler log ---\n{self.log_tail()}"
                )
            time.sleep(0.02)  # polling interval, not a wait for something to happen

    def _output(self) -> str:
        try:
            return (self._base() / "cupsd.out").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the scheduler (SIGTERM, then SIGKILL past ``timeout``) and wait for its exit."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
            raise CupsError(f"cupsd did not stop within {timeout} s:\n{self.log_tail()}") from None

    def freeze(self) -> None:
        """SIGSTOP: the scheduler keeps its socket and connections but answers nothing (a
        hung server). ``thaw()`` lets it go on."""
        if self._proc is not None:
            self._proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        """Stop the scheduler (if running) and remove its folder."""
        atexit.unregister(self.destroy)
        try:
            self.stop()
        finally:
            if self.base is not None:
                shutil.rmtree(self.base, ignore_errors=True)
                self.base = None

    def __enter__(self) -> CupsScheduler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.destroy()

    # --- queues and jobs ----------------------------------------------------------------

    def add_queue(self, name: str, folder: Path | None = None,
                  options: Mapping[str, str] | None = None) -> Path:
        """Add an enabled, accepting raw queue whose jobs land in ``folder`` (made, and given
        to the lp user, if needed; by default ``<base>/out/<name>``); returns the folder.

        ``options`` are ``lpadmin -o`` settings (``printer-error-policy=abort-job``...).
        """
        out = folder if folder is not None else self._base() / "out" / name
        out.mkdir(parents=True, exist_ok=True)
        out.chmod(0o755)
        self._own(out)
        argv = ["lpadmin", "-p", name, "-v", f"kiosk-folder:{out}", "-E"]
        for key, value in (options or {}).items():
            argv += ["-o", f"{key}={value}"]
        self.run(*argv)
        return out

    def remove_queue(self, name: str) -> None:
        self.run("lpadmin", "-x", name)

    def stop_queue(self, name: str, reason: str = "") -> None:
        """``cupsdisable``: the queue keeps accepting jobs and holds them, pending."""
        self.run("cupsdisable", *(["-r", reason] if reason else []), name)

    def start_queue(self, name: str) -> None:
        """``cupsenable``: the queue prints what it holds."""
        self.run("cupsenable", name)

    def reject(self, name: str, reason: str = "") -> None:
        """``cupsreject``: ``lp`` to the queue is refused."""
        self.run("cupsreject", *(["-r", reason] if reason else []), name)

    def accept(self, name: str) -> None:
        self.run("cupsaccept", name)

    def lp(self, queue: str, path: Path, *options: str) -> str:
        """Send a file with ``lp -d queue``; returns the job id (``<queue>-<N>``)."""
        argv = ["lp", "-d", queue]
        for option in options:
            argv += ["-o", option]
        out = self.run(*argv, "--", str(path)).stdout
        # "request id is office-3 (1 file(s))"
        words = out.split()
        if "is" not in words:
            raise CupsError(f"lp gave no request id: {out!r}")
        return words[words.index("is") + 1]

    def jobs(self, which: WhichJobs = "not-completed", queue: str = "") -> list[Job]:
        """The jobs ``lpstat -W which -o [queue]`` lists."""
        out = self.run("lpstat", "-W", which, "-o", *([queue] if queue else [])).stdout
        found = []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].isdigit() and not line[:1].isspace():
                found.append(Job(parts[0], parts[1], int(parts[2])))
        return found

    def wait_printed(self, folder: Path, job_id: str, timeout: float = 30.0) -> Path:
        """Poll until job ``job_id``'s output is whole in ``folder`` and CUPS counts it
        completed; return the file. Fails with the queue's state and the log past the deadline."""
        number = job_id.rsplit("-", 1)[1]
        path = folder / f"job-{number}.prn"
        deadline = time.monotonic() + timeout
        while True:
            if path.exists() and all(j.id != job_id for j in self.jobs()):
                return path
            if time.monotonic() > deadline:
                state = self.run("lpstat", "-l", "-p", "-o", check=False)
                raise CupsError(
                    f"job {job_id} did not arrive in {folder} within {timeout} s\n"
                    f"{state.stdout}{state.stderr}\n--- scheduler log ---\n{self.log_tail()}"
                )
            time.sleep(0.02)  # polling interval

    def queue_status(self, name: str) -> str:
        """``lpstat -p name -a name``: enabled/disabled, accepting or not."""
        return self.run("lpstat", "-p", name, "-a", name).stdout
