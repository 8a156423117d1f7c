"""The real kiosk as a separate process on an X display, for the AT-SPI tests and the soak.

Standard library only: used from Debian's python3 (with pyatspi) and from the project's venv.
The kiosk runs with Python's faulthandler on and its output kept in a file, so a crash leaves
its Python stack; optionally under gdb in batch mode, which adds the native backtrace.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Under gdb: stop on a fatal signal, print the native stack, then let the signal through so
# faulthandler prints the Python stack too. Other signals pass silently.
GDB_COMMANDS = (
    "set pagination off", "set confirm off", "set print thread-events off",
    "set debuginfod enabled off", "handle SIGPIPE nostop noprint pass",
    "handle SIGTERM nostop noprint pass", "handle SIGUSR1 nostop noprint pass",
    "handle SIGUSR2 nostop noprint pass", "run", "bt 60", "continue",
)


@contextlib.contextmanager
def private_session(argv: list[str], display: str | None = None
                    ) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The command and environment that run ``argv`` in a D-Bus session of its own, with an
    accessibility bus of its own.

    The accessibility bus listens on ``$XDG_RUNTIME_DIR/at-spi/bus``, or without that variable
    on ``~/.cache/at-spi/bus``: one path for every session of the user. A second session (a
    parallel test run, a soak) then takes the path over, and a kiosk started afterwards joins
    the other session's bus, or none once that session ends ("Not connected to D-Bus server";
    the kiosk never appears). A private runtime dir per session keeps them apart. Its path is
    short: a Unix socket path has at most 107 bytes. With ``display``, the session's services
    (the AT-SPI registry, which makes synthetic clicks) use that X display.
    """
    with tempfile.TemporaryDirectory(prefix="atspi-") as runtime:
        os.chmod(runtime, 0o700)
        env = {k: v for k, v in os.environ.items()
               if k not in ("DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS", "PYTHONPATH",
                            "PYTHONHOME")}
        env["XDG_RUNTIME_DIR"] = runtime
        if display is not None:
            env["DISPLAY"] = display
        yield ["dbus-run-session", "--", *argv], env


@contextlib.contextmanager
def a11y_bus() -> Iterator[None]:
    """The accessibility bus, for the length of the block (inside ``dbus-run-session``).
    D-Bus would start it on demand; starting it first keeps the kiosk from waiting on it."""
    bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"])
    try:
        yield
    finally:
        bus.terminate()
        try:
            bus.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bus.kill()
            bus.wait()


def kiosk_command(python: str, main: str | Path, campaign: str | Path, data_dir: str | Path,
                  *, gdb: bool = False, fullscreen: bool = False) -> list[str]:
    """The kiosk's command line: windowed, or ``fullscreen`` as at an event (kiosk mode, its
    lockdown filter on); under ``gdb -batch`` when ``gdb`` is set."""
    cmd = [python, str(main), *([] if fullscreen else ["--windowed"]), "--config",
           str(campaign), "--data-dir", str(data_dir)]
    if not gdb:
        return cmd
    wrapped = ["gdb", "-q", "-nx", "-batch", "-iex", "set auto-load python-scripts off"]
    for c in GDB_COMMANDS:
        wrapped += ["-ex", c]
    return [*wrapped, "--args", *cmd]


def kiosk_env(display: str, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONFAULTHANDLER="1",
               PYTHONUNBUFFERED="1", DEBUGINFOD_URLS="")
    # The kiosk must turn the accessibility bridge on itself, as it does at an event.
    env.pop("QT_LINUX_ACCESSIBILITY_ALWAYS_ON", None)
    return env


def _allow_core_dump() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


class Kiosk:
    """One kiosk process; its output goes to ``log``.

    With ``core_dir`` the kiosk runs there with core dumps allowed: after a crash, gdb reads
    the native backtrace from the core file, without slowing the kiosk down while it runs as
    ``--gdb`` does (that changes the timing a crash may depend on). This needs the kernel's
    ``core_pattern`` to be a plain file name, as it is here ("core").
    """

    def __init__(self, command: list[str], env: dict[str, str], log: Path,
                 core_dir: Path | None = None) -> None:
        self.command, self.log, self.core_dir = command, log, core_dir
        if core_dir is not None:
            core_dir.mkdir(parents=True, exist_ok=True)
        self._out = open(log, "wb")  # noqa: SIM115 - kept open while the kiosk runs
        self.proc = subprocess.Popen(command, env=env, stdout=self._out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=core_dir or ROOT,
                                     preexec_fn=_allow_core_dump if core_dir else None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self) -> int | None:
        return self.proc.poll()

    def output(self) -> str:
        self._out.flush()
        return self.log.read_bytes().decode("utf-8", errors="replace")

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Terminate the kiosk (and, under gdb, the program gdb runs), then close the log."""
        if self.proc.poll() is None:
            children = _children(self.proc.pid)
            self.proc.terminate()
            if self.wait(30) is None:
                for pid in children:
                    _kill(pid)
                self.proc.kill()
                self.proc.wait()
            for pid in children:  # gdb's inferior, if gdb left it behind
                _kill(pid)
        self._out.close()

    def crash(self) -> dict:
        """How the kiosk ended, with the stacks its output (or its core file) holds."""
        found = describe_exit(self.proc.returncode, self.output())
        core = self.core_dir / "core" if self.core_dir else None
        if core is not None and core.exists() and not found["native_stack"]:
            found["native_stack"] = backtrace_from_core(self.command[0], core)
            core.unlink()  # hundreds of MB; the backtrace is what is kept
        return found


def backtrace_from_core(program: str, core: Path) -> str:
    out = subprocess.run(["gdb", "-q", "-nx", "-batch", "-iex",
                          "set auto-load python-scripts off", "-ex",
                          "set debuginfod enabled off", "-ex", "bt 60", program, str(core)],
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "DEBUGINFOD_URLS": ""})
    frames = [line for line in out.stdout.splitlines() if re.match(r"#\d+ ", line)]
    # gdb shows the crashing frame once on loading the core, then again in the backtrace.
    return "\n".join(f for i, f in enumerate(frames) if i == 0 or f != frames[i - 1])


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from /proc (gdb's inferior)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


_GDB_SIGNAL = re.compile(r"received signal (SIG\w+)|terminated with signal (SIG\w+)")


def describe_exit(returncode: int | None, output: str) -> dict:
    """The signal (from the exit status or gdb's report), the Python stack faulthandler
    printed, the native backtrace gdb printed, and the last lines of output."""
    sig = ""
    if returncode is not None and returncode < 0:
        sig = signal.Signals(-returncode).name
    m = _GDB_SIGNAL.search(output)
    if m:
        sig = m.group(1) or m.group(2)
    lines = output.splitlines()
    return {"returncode": returncode, "signal": sig,
            "python_stack": _section(lines, "Fatal Python error", "Extension modules"),
            "native_stack": "\n".join(line for line in lines if re.match(r"#\d+ ", line)),
            "tail": "\n".join(lines[-40:])}


def _section(lines: list[str], start: str, end: str, most: int = 200) -> str:
    """From the first line starting with ``start`` to the next starting with ``end``."""
    for i, line in enumerate(lines):
        if line.startswith(start):
            out = []
            for rest in lines[i : i + most]:
                out.append(rest)
                if rest.startswith(end):
                    break
            return "\n".join(out)
    return ""
