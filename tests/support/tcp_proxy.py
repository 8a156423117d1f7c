"""A TCP proxy on 127.0.0.1 that a test can make misbehave, between a client and its server.

    with TcpProxy(("127.0.0.1", cluster.port)) as proxy:
        conn = psycopg.connect(cluster.url(host=proxy.host, port=proxy.port))
        proxy.cut()           # every connection closed now, both ways, with a reset (RST)
        proxy.hold()          # a black hole: connections accepted, nothing forwarded either way
        proxy.release()       # ... and what was held flows again, as TCP does when Wi-Fi returns
        proxy.drop_after(0)   # the next server reply is lost: its connection closed instead
        proxy.refuse()        # new connections closed at once (existing ones go on)
        proxy.delay(0.02)     # every chunk from the server arrives 20 ms late
        proxy.pass_through()  # all of the above undone (connections already cut stay cut)

One thread runs every connection (a selector loop); the methods above hand their change to it
and return once it is in force, so ``cut()`` has closed the sockets when it returns. ``stop()``
closes everything and joins the thread with a deadline; a thread still alive then is an error.

What a user-space proxy cannot do: drop packets below TCP. Under ``hold()`` the proxy's kernel
still acknowledges what the client sends, so TCP keepalives and ``tcp_user_timeout`` see a live
peer; only a timeout of the client's own (``connect_timeout`` for a new connection, a deadline
on the query) notices the hole.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import queue
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Literal, TypeVar

Direction = Literal["client_to_server", "server_to_client"]
DIRECTIONS: tuple[Direction, Direction] = ("client_to_server", "server_to_client")

_CHUNK = 64 * 1024
_BUFFER_LIMIT = 1024 * 1024  # stop reading a side while this much waits for the other
_T = TypeVar("_T")


def _reset(sock: socket.socket) -> None:
    """Close with a reset (RST) rather than a FIN: the peer's next read or write fails at once."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Half:
    """One direction of a connection: bytes read from ``src``, waiting to be written to ``dst``."""

    def __init__(self, src: socket.socket, dst: socket.socket) -> None:
        self.src = src
        self.dst = dst
        self.delayed: collections.deque[tuple[float, bytes]] = collections.deque()
        self.out = bytearray()
        self.eof = False  # src has closed its side: shut dst's writing once `out` is empty
        self.shut = False

    def waiting(self) -> int:
        return len(self.out) + sum(len(chunk) for _, chunk in self.delayed)


class _Link:
    """A client connection and its connection to the server."""

    def __init__(self, client: socket.socket, server: socket.socket) -> None:
        self.client = client
        self.server = server
        self.connected = False
        self.halves: dict[Direction, _Half] = {
            "client_to_server": _Half(client, server),
            "server_to_client": _Half(server, client),
        }

    def close(self, *, reset: bool) -> None:
        for sock in (self.client, self.server):
            if reset:
                _reset(sock)
            else:
                sock.close()


# PostgreSQL's CommandComplete message for a COMMIT: 'C', its length (11), "COMMIT", NUL.
COMMIT_DONE = b"C\x00\x00\x00\x0bCOMMIT\x00"


class TcpProxy:
    """Forward 127.0.0.1:<free port> to ``target``, with faults a test switches on and off."""

    def __init__(self, target: tuple[str, int], *, host: str = "127.0.0.1") -> None:
        self.target = target
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(128)
        self._listener.setblocking(False)
        self.host: str = host
        self.port: int = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._commands: queue.SimpleQueue[tuple[Callable[[], object], list[object]]] = (
            queue.SimpleQueue()
        )
        self._links: list[_Link] = []
        self._held = False
        self._refusing = False
        self._delay: dict[Direction, float] = dict.fromkeys(DIRECTIONS, 0.0)
        self._drop: tuple[Direction, int] | None = None
        self._drop_at: tuple[Direction, bytes, bytes] | None = None  # direction, marker, tail
        self._stopping = False
        self._done = threading.Condition()  # a command has run
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name=f"tcp-proxy:{self.port}")
        self._thread.daemon = True  # joined by stop(); daemon only so a failed test can exit
        # What a test can watch; written by the proxy's thread only.
        self.accepted = 0  # connections accepted since the start
        self.forwarded: dict[Direction, int] = dict.fromkeys(DIRECTIONS, 0)
        self.dropped = threading.Event()  # set when a drop_after() rule fired

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def connections(self) -> int:
        """Connections open through the proxy now."""
        return len(self._links)

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every connection and the listener; join the thread (an error if it hangs)."""
        if self._thread.is_alive():
            self._stopping = True
            self._wake()
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError(f"proxy thread {self._thread.name} did not stop in {timeout}s")
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()
        if self._error is not None:
            raise RuntimeError("the proxy's thread failed") from self._error

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- faults (each takes effect in the proxy's thread before the call returns) -------

    def pass_through(self) -> None:
        """Forward everything again: no hold, no refusal, no delay, no pending drop rule."""

        def apply() -> None:
            self._held = self._refusing = False
            self._delay = dict.fromkeys(DIRECTIONS, 0.0)
            self._drop = None
            self._drop_at = None

        self._call(apply)

    def cut(self) -> int:
        """Close every connection now, both sides, with a reset; returns how many."""

        def apply() -> int:
            links, self._links = self._links, []
            for link in links:
                link.close(reset=True)
            return len(links)

        return self._call(apply)

    def hold(self) -> None:
        """Stop forwarding, both ways, on every connection (new ones are accepted, then held)."""
        self._call(lambda: setattr(self, "_held", True))

    def release(self) -> None:
        """Forward again after ``hold()``: what waited in the buffers goes on."""
        self._call(lambda: setattr(self, "_held", False))

    def refuse(self) -> None:
        """Close new connections as soon as they are accepted (a reset); existing ones go on."""
        self._call(lambda: setattr(self, "_refusing", True))

    def drop_after(self, n_bytes: int, direction: Direction = "server_to_client") -> None:
        """Let ``n_bytes`` more go in ``direction`` (all connections together), then close the
        connection that would carry the next byte, discarding the rest: ``drop_after(0)`` before
        a COMMIT loses its acknowledgement while the server has committed. Fires once; then
        ``dropped`` is set.
        """
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}")

        def apply() -> None:
            self.dropped.clear()
            self._drop = (direction, n_bytes)

        self._call(apply)

    def drop_at(self, marker: bytes, direction: Direction = "server_to_client") -> None:
        """Close the connection that is about to carry ``marker`` in ``direction``: what came
        before it goes through, the marker and the rest do not. With PostgreSQL's reply to a
        COMMIT as the marker (``COMMIT_DONE``), the server has committed and the client never
        learns it. Fires once; then ``dropped`` is set."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}")
        if not marker:
            raise ValueError("the marker must not be empty")

        def apply() -> None:
            self.dropped.clear()
            self._drop_at = (direction, marker, b"")

        self._call(apply)

    def delay(self, seconds: float, direction: Direction = "server_to_client") -> None:
        """Hold every chunk going in ``direction`` for ``seconds`` before forwarding it (the
        latency of a real network; order kept)."""

        def apply() -> None:
            self._delay[direction] = seconds

        self._call(apply)

    # --- the proxy's thread -------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"\0")

    def _call(self, fn: Callable[[], _T], timeout: float = 5.0) -> _T:
        if not self._thread.is_alive():
            if self._error is not None:
                raise RuntimeError("the proxy's thread failed") from self._error
            return fn()  # not started (or stopped): nothing runs concurrently
        box: list[object] = []
        self._commands.put((fn, box))
        self._wake()
        deadline = time.monotonic() + timeout
        with self._done:
            while not box:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    raise RuntimeError("the proxy's thread did not take the command")
                self._done.wait(left)
        result = box[0]
        if isinstance(result, BaseException):
            raise result
        return result  # type: ignore[return-value]

    def _run_commands(self) -> None:
        while True:
            try:
                fn, box = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                box.append(fn())
            except Exception as e:  # handed back to the caller
                box.append(e)
            with self._done:
                self._done.notify_all()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            self.accepted += 1
            if self._refusing:
                _reset(client)
                continue
            client.setblocking(False)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setblocking(False)
            server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            code = server.connect_ex(self.target)
            if code not in (0, errno.EINPROGRESS):
                _reset(client)  # the server is down: the client sees its connection reset
                server.close()
                continue
            link = _Link(client, server)
            link.connected = code == 0
            self._links.append(link)

    def _end(self, link: _Link, *, reset: bool) -> None:
        if link in self._links:
            self._links.remove(link)
            link.close(reset=reset)

    def _forward(self, link: _Link, direction: Direction, data: bytes, now: float) -> bool:
        """Queue ``data`` read in ``direction``; False if a drop rule ended the link."""
        if self._drop_at is not None and self._drop_at[0] == direction:
            _, marker, tail = self._drop_at
            seen = tail + data
            at = seen.find(marker)
            if at < 0:
                self._drop_at = (direction, marker, seen[-(len(marker) - 1):]
                                 if len(marker) > 1 else b"")
            else:
                # Let the bytes before the marker through, then the link ends, as drop_after.
                self._drop_at = None
                self._drop = (direction, max(0, at - len(tail)))
        if self._drop is not None and self._drop[0] == direction:
            budget = self._drop[1]
            if len(data) > budget:
                half = link.halves[direction]
                half.out += data[:budget]
                with contextlib.suppress(OSError):
                    sent = half.dst.send(half.out)  # best effort: the bytes let through
                    self.forwarded[direction] += sent
                self._drop = None
                self.dropped.set()  # before the close: a client that sees it may check this
                self._end(link, reset=False)
                return False
            self._drop = (direction, budget - len(data))
        half = link.halves[direction]
        if self._delay[direction] > 0:
            half.delayed.append((now + self._delay[direction], data))
        else:
            half.out += data
        return True

    def _interest(self, link: _Link) -> dict[socket.socket, int]:
        masks = {link.client: 0, link.server: 0}
        if not link.connected:
            masks[link.server] = selectors.EVENT_WRITE  # connection in progress
            return masks
        if self._held:
            return masks
        for half in link.halves.values():
            if not half.eof and half.waiting() < _BUFFER_LIMIT:
                masks[half.src] |= selectors.EVENT_READ
            if half.out:
                masks[half.dst] |= selectors.EVENT_WRITE
        return masks

    def _service(self, link: _Link, sock: socket.socket, events: int, now: float) -> None:
        if not link.connected:
            if sock is link.server and events & selectors.EVENT_WRITE:
                if link.server.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    self._end(link, reset=True)  # the server refused: reset the client
                else:
                    link.connected = True
            return
        for direction, half in link.halves.items():
            if half.src is sock and events & selectors.EVENT_READ:
                try:
                    data = sock.recv(_CHUNK)
                except (BlockingIOError, InterruptedError):
                    data = None
                except OSError:
                    self._end(link, reset=True)  # reset by the peer: pass the reset on
                    return
                if data == b"":
                    half.eof = True
                elif data is not None and not self._forward(link, direction, data, now):
                    return
            if half.dst is sock and events & selectors.EVENT_WRITE and half.out:
                try:
                    sent = sock.send(half.out)
                except (BlockingIOError, InterruptedError):
                    sent = 0
                except OSError:
                    self._end(link, reset=True)
                    return
                del half.out[:sent]
                self.forwarded[direction] += sent

    def _settle(self, link: _Link, now: float) -> float | None:
        """Move due delayed chunks out, pass EOFs on, end a finished link; the next due time."""
        next_due: float | None = None
        for half in link.halves.values():
            while half.delayed and half.delayed[0][0] <= now:
                half.out += half.delayed.popleft()[1]
            if half.delayed:
                due = half.delayed[0][0]
                next_due = due if next_due is None else min(next_due, due)
            if half.eof and not half.out and not half.delayed and not half.shut:
                with contextlib.suppress(OSError):
                    half.dst.shutdown(socket.SHUT_WR)
                half.shut = True
        if all(half.shut for half in link.halves.values()):
            self._end(link, reset=False)
        return next_due

    def _loop(self) -> None:
        sel = selectors.DefaultSelector()
        registered: dict[socket.socket, int] = {}

        def want(sock: socket.socket, mask: int) -> None:
            old = registered.get(sock)
            if old == mask:
                return
            if old is not None:
                sel.unregister(sock)
                del registered[sock]
            if mask:
                sel.register(sock, mask)
                registered[sock] = mask

        sel.register(self._listener, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        try:
            while not self._stopping:
                self._run_commands()
                now = time.monotonic()
                next_due: float | None = None
                wanted: dict[socket.socket, int] = {}
                for link in list(self._links):
                    due = None if self._held else self._settle(link, now)
                    if due is not None:
                        next_due = due if next_due is None else min(next_due, due)
                    if link in self._links:
                        wanted.update(self._interest(link))
                for sock in [s for s in registered if s not in wanted]:
                    want(sock, 0)  # closed or ended
                for sock, mask in wanted.items():
                    want(sock, mask)
                timeout = None if next_due is None else max(0.0, next_due - now)
                owners = {s: link for link in self._links for s in (link.client, link.server)}
                for key, events in sel.select(timeout):
                    ready = key.fileobj
                    assert isinstance(ready, socket.socket)
                    if ready is self._wake_r:
                        with contextlib.suppress(BlockingIOError, OSError):
                            self._wake_r.recv(4096)
                    elif ready is self._listener:
                        self._accept()
                    else:
                        link = owners[ready]
                        if link in self._links:
                            self._service(link, ready, events, time.monotonic())
        except BaseException as e:  # handed to stop() and to the next command
            self._error = e
        finally:
            for link in self._links:
                link.close(reset=True)
            self._links = []
            sel.close()
            self._run_commands()  # nobody waits forever on a command sent during the end
