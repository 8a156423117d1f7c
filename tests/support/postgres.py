"""A private PostgreSQL cluster for tests: ``initdb`` and ``pg_ctl`` on a temporary folder.

The cluster listens on 127.0.0.1 on a free port and on a Unix socket in its own folder; it never
touches a system cluster the distribution's package may have started. Every role logs in with a
password (SCRAM), over TCP and over the socket alike, so a test of refused credentials is real.
fsync is off: a cluster that lives for one test session does not need its writes on the platter
(the operating system still has them, so a stop, even ``immediate``, loses nothing committed).

As root (this machine, CI) ``initdb`` refuses to run, so every server command runs as the
``postgres`` user (``runuser -u postgres --``) on a folder it owns; as anyone else, directly.

    cluster = PostgresCluster().start()
    url = cluster.create_database("hub")                 # the superuser's URL to it
    cluster.create_role("kiosk", password="secret")
    psycopg.connect(cluster.url("hub", user="kiosk", password="secret"))
    cluster.url("hub", socket=True)                      # the same over the Unix socket
    cluster.url("hub", host=proxy.host, port=proxy.port) # through a tests.support.tcp_proxy
    cluster.restart()                                    # same port, same socket, same data
    cluster.destroy()                                    # stop, remove the folder

The server binaries come from ``$PG_BINDIR``, else ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin`` (Debian, Ubuntu), else ``PATH``. Without them the start fails with
:class:`PostgresMissing` (a failure, not a skip: ``scripts/setup`` installs the server).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql

StopMode = Literal["smart", "fast", "immediate"]

# Commands the harness needs from the server's bin folder.
_NEEDED = ("initdb", "pg_ctl", "postgres")
# A Unix socket path is limited to 107 bytes on Linux (sun_path); PostgreSQL adds ".s.PGSQL.NNNNN".
_SOCKET_PATH_MAX = 107 - len("/.s.PGSQL.65535")
_START_ATTEMPTS = 5  # new ports to try when another process took the free one first

_names = itertools.count(1)


@dataclass(frozen=True)
class Database:
    """A database of a test cluster: its name and the superuser's URL to it (over TCP)."""

    name: str
    url: str


class PostgresMissing(RuntimeError):
    """The PostgreSQL server programs (initdb, pg_ctl, postgres) are not on this machine."""


class PostgresError(RuntimeError):
    """A server command failed; the message carries its output and the end of the server log."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def _candidate_bindirs() -> Iterator[Path]:
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                yield Path(out)
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        yield Path(initdb).resolve().parent


def _has_server(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in _NEEDED)


def find_bindir() -> Path:
    """The folder with ``initdb``, ``pg_ctl`` and ``postgres``; :class:`PostgresMissing` if none."""
    forced = os.environ.get("PG_BINDIR")
    if forced:
        if _has_server(Path(forced)):
            return Path(forced)
        raise PostgresMissing(f"PG_BINDIR={forced} has no {', '.join(_NEEDED)}")
    for bindir in _candidate_bindirs():
        if _has_server(bindir):
            return bindir
    raise PostgresMissing(
        "The PostgreSQL server is not installed (no initdb/pg_ctl/postgres found through "
        "PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin or PATH). "
        "Run ./scripts/setup, which installs Debian's `postgresql` package."
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (another process may take it before we do: retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def _runuser() -> str:
    found = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None
    )
    if not found:
        raise PostgresMissing("running as root needs `runuser` (util-linux) to start PostgreSQL")
    return found


def _conf_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class PostgresCluster:
    """One private cluster: its own data folder, port, socket folder and superuser password.

    ``start()`` creates it the first time (``initdb``), then starts the server and waits until
    it answers over TCP and over the socket. ``stop()``, ``start()`` and ``restart()`` keep the
    port, the socket and the data, so URLs taken before stay good (the hub tests' "hub
    restarted, connections come back"). ``destroy()`` stops it and removes its folder; so does
    the end of the interpreter if nobody did.
    """

    host = "127.0.0.1"
    superuser = "postgres"

    def __init__(self, *, bindir: Path | None = None, start_timeout: float = 30.0) -> None:
        self.bindir = bindir
        self.start_timeout = start_timeout
        self.password = secrets.token_hex(16)
        self.port = 0
        self.base: Path | None = None
        self._as_postgres = os.geteuid() == 0
        self._running = False
        self._created = False

    # --- where things are -------------------------------------------------------------

    def _base(self) -> Path:
        if self.base is None:
            raise PostgresError("the cluster has not been started")
        return self.base

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "sock"

    @property
    def log_path(self) -> Path:
        return self._base() / "server.log"

    @property
    def running(self) -> bool:
        return self._running

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    # --- URLs and connections ----------------------------------------------------------

    def url(
        self,
        dbname: str = "postgres",
        *,
        user: str | None = None,
        password: str | None = None,
        host: str | None = None,
        port: int | None = None,
        socket: bool = False,
        **options: str | int,
    ) -> str:
        """A libpq URL: the superuser unless ``user`` is given (then ``password``, if any).

        ``socket=True`` goes through the Unix socket; ``host``/``port`` point elsewhere (a
        proxy). ``options`` are libpq parameters: ``connect_timeout=2``, ``keepalives_idle=1``,
        ``application_name="kiosk-1"``...
        """
        if user is None:
            user, password = self.superuser, self.password
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        query = dict(options)
        if socket:
            netloc = ""
            query = {"host": str(self.socket_dir), "port": port or self.port, **query}
        else:
            netloc = f"{host or self.host}:{port or self.port}"
        tail = "?" + urlencode(query) if query else ""
        return f"postgresql://{auth}@{netloc}/{quote(dbname, safe='')}{tail}"

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """A superuser connection over the socket, in autocommit: for setting things up."""
        kwargs.setdefault("autocommit", True)
        kwargs.setdefault("connect_timeout", 10)
        return psycopg.connect(self.url(dbname, socket=True), **kwargs)

    def create_database(self, name: str | None = None, *, owner: str | None = None) -> str:
        """Create a database (a fresh name if none) and return the superuser's URL to it."""
        name = name or f"test_{next(_names)}_{secrets.token_hex(3)}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if owner:
            query += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
        with self.connect() as conn:
            conn.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending its connections first (``WITH (FORCE)``)."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def create_role(
        self,
        name: str,
        password: str | None = None,
        *,
        login: bool = True,
        superuser: bool = False,
        createdb: bool = False,
    ) -> str:
        """Create a role (a login with a password if given); returns its name."""
        query = sql.SQL("CREATE ROLE {} {} {} {}").format(
            sql.Identifier(name),
            sql.SQL("LOGIN" if login else "NOLOGIN"),
            sql.SQL("SUPERUSER" if superuser else "NOSUPERUSER"),
            sql.SQL("CREATEDB" if createdb else "NOCREATEDB"),
        )
        if password is not None:
            query += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
        with self.connect() as conn:
            conn.execute(query)
        return name

    def terminate_backends(self, *, dbname: str | None = None, user: str | None = None) -> int:
        """End the server side of client connections (all, or one database's or role's).

        What an administrator or a failover does to a hub's clients: a LISTEN connection dropped.
        Returns how many were ended.
        """
        with self.connect() as conn:
            row = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
                " AND (%(db)s::text IS NULL OR datname = %(db)s)"
                " AND (%(user)s::text IS NULL OR usename = %(user)s)",
                {"db": dbname, "user": user},
            ).fetchone()
        return int(row[0]) if row else 0

    # --- running the server commands ----------------------------------------------------

    def _cmd(self, *argv: str) -> list[str]:
        assert self.bindir is not None
        exe = [*argv]
        if (self.bindir / argv[0]).exists():
            exe[0] = str(self.bindir / argv[0])
        return [_runuser(), "-u", "postgres", "--", *exe] if self._as_postgres else exe

    def _run(self, *argv: str, timeout: float = 60.0, check: bool = True) -> int:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"  # messages the log tail and the port check can read
        proc = subprocess.run(
            self._cmd(*argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self._base(),  # the postgres user may not be able to read the caller's folder
            env=env,
            stdin=subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise PostgresError(
                f"{' '.join(argv[:2])} failed (exit {proc.returncode}):\n"
                f"{proc.stdout}{proc.stderr}\n--- server log ---\n{self.log_tail()}"
            )
        return proc.returncode

    def _make_folder(self) -> None:
        base = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.base = base
        if len(str(base / "sock")) > _SOCKET_PATH_MAX:
            raise PostgresError(f"{base} is too long for a Unix socket path: set TMPDIR=/tmp")
        (base / "sock").mkdir(mode=0o700)
        pwfile = base / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self._as_postgres:
            try:
                import pwd

                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresMissing(
                    "running as root needs the `postgres` user (Debian's postgresql package "
                    "makes it): initdb refuses to run as root"
                ) from None
            for path in (base, base / "sock", pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            if self._run("sh", "-c", 'test -w "$0"', str(base), check=False) != 0:
                raise PostgresError(
                    f"the postgres user cannot reach {base}: set TMPDIR to a folder it can "
                    "traverse (/tmp)"
                )

    def _initdb(self) -> None:
        self._make_folder()
        base = self._base()
        self._run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            self.superuser,
            "--pwfile",
            str(base / "pwfile"),
            "--auth",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        (base / "pwfile").unlink()
        settings = {
            "listen_addresses": _conf_quote(self.host),
            "unix_socket_directories": _conf_quote(str(self.socket_dir)),
            "fsync": "off",
            "full_page_writes": "off",
            "shared_buffers": "'32MB'",  # a shared machine: take little
            "max_connections": "100",
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
            "log_line_prefix": "'%m [%p] %q%u@%d '",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# tests/support/postgres.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._created = True

    def _pg_ctl_start(self) -> None:
        assert self.bindir is not None
        self._run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(self.data_dir),
            "--log",
            str(self.log_path),
            "--options",
            f"-p {self.port}",
            "--wait",
            "--timeout",
            str(int(self.start_timeout)),
            timeout=self.start_timeout + 10,
        )

    def _port_taken(self) -> bool:
        tail = self.log_tail(10)
        return "could not bind" in tail or "Address already in use" in tail

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        """Start the server (creating the cluster the first time) and wait until it answers."""
        if self._running:
            return self
        if self.bindir is None:
            self.bindir = find_bindir()
        if not self._created:
            self._initdb()
            atexit.register(self.destroy)
        fixed_port = self.port != 0  # after the first start the port never changes
        for attempt in range(1 if fixed_port else _START_ATTEMPTS):
            if not fixed_port:
                self.port = free_port(self.host)
            try:
                self._pg_ctl_start()
                break
            except PostgresError:
                if fixed_port or attempt == _START_ATTEMPTS - 1 or not self._port_taken():
                    raise
        self._running = True
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll until the superuser can connect over TCP and over the socket, or fail."""
        deadline = time.monotonic() + (timeout or self.start_timeout)
        for url in (self.url(connect_timeout=2), self.url(socket=True, connect_timeout=2)):
            while True:
                try:
                    psycopg.connect(url).close()
                    break
                except psycopg.OperationalError as e:
                    if time.monotonic() > deadline:
                        raise PostgresError(
                            f"the server did not answer at {url.split('@')[-1]}: {e}\n"
                            f"--- server log ---\n{self.log_tail()}"
                        ) from e
                    time.sleep(0.02)  # polling interval, not a wait for something to happen

    def stop(self, mode: StopMode = "fast") -> None:
        """Stop the server: ``fast`` (clients cut, clean shutdown) or ``immediate`` (a crash)."""
        if not self._running:
            return
        self._run(
            "pg_ctl",
            "stop",
            "--pgdata",
            str(self.data_dir),
            "--mode",
            mode,
            "--wait",
            "--timeout",
            str(int(self.start_timeout)),
            timeout=self.start_timeout + 10,
        )
        self._running = False

    def restart(self, mode: StopMode = "fast") -> None:
        """Stop and start again on the same port and socket; existing connections are cut."""
        self.stop(mode)
        self.start()

    def destroy(self) -> None:
        """Stop the server (if running) and remove the cluster's folder."""
        atexit.unregister(self.destroy)
        try:
            if self._running:
                self.stop("immediate")
        finally:
            if self.base is not None:
                shutil.rmtree(self.base, ignore_errors=True)
                self.base = None
            self._created = False

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.destroy()
