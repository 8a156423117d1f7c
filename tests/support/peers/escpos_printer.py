"""A test peer: an ESC/POS receipt printer on 127.0.0.1 that python-escpos's ``Network`` talks to.

It parses what it receives command by command, like a printer: real-time status requests
(``DLE EOT n``) are answered at once, everything else is "printed" (kept in ``printed``) unless
the printer is out of paper or its cover is open, in which case it waits in the printer's buffer
and prints after the refill (python-escpos #253), or is lost on a power cycle.

Faults, switched by the test: ``refuse()`` (nothing listening), ``drop_new_connections()``
(connecting hangs), ``hang`` (accepts, then reads and answers nothing), ``stall_after`` (stops
reading after N bytes of a job), ``paper`` ("ok", "low", "out"), ``paper_out_after`` (the
paper ends once N bytes have printed), ``cover_open``, ``answer_status = False`` (prints but
never answers status).
``power_cycle()`` clears every fault and drops connections and unprinted data.

``receipts()`` is what a person reading the paper sees once the printer has finished: it waits
until no job is still arriving (each connection has closed, ended its job with a cut, or stopped
reading), so a test never reads half a receipt (e.g. half of a QR raster) while the rest is on the
wire; the kiosk may call a job printed as soon as it has handed the bytes over.

``decode()`` turns the printed bytes back into receipts: lines of text in the code page that was
selected, their styles, the QR codes (decoded with zxing-cpp from the raster image) and the cut.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ESC, GS, DLE = 0x1B, 0x1D, 0x10

# Fixed-length commands: prefix byte, command byte -> total length.
_FIXED = {
    (ESC, ord("@")): 2, (ESC, ord("2")): 2,
    **{(ESC, ord(c)): 3 for c in "t!E-aMG{dJ3Vr="},
    **{(GS, ord(c)): 3 for c in "!BbHfhw|r"},
    (DLE, 0x04): 3, (DLE, 0x05): 3,
}


class ParseError(Exception):
    pass


def next_command(buf: bytes | bytearray, i: int) -> int | None:
    """Length of the command or text byte at ``buf[i]``; None if it has not all arrived yet
    (a printer acts on a command only once it has every byte of it: half an image is not
    printed, and the rest of it is never taken for text)."""
    n = _command_length(buf, i)
    return n if n is not None and i + n <= len(buf) else None


def _command_length(buf: bytes | bytearray, i: int) -> int | None:
    """Length of the command at ``buf[i]`` as its header says; None if the header is cut off."""
    b = buf[i]
    if b not in (ESC, GS, DLE):
        return 1
    if i + 1 >= len(buf):
        return None
    key = (b, buf[i + 1])
    if key == (GS, ord("V")):  # cut: GS V m, or GS V m n for m = 65, 66
        if i + 2 >= len(buf):
            return None
        return 4 if buf[i + 2] in (65, 66) else 3
    if key == (GS, ord("v")):  # raster image: GS v 0 m xL xH yL yH data
        if i + 8 > len(buf):
            return None
        x = buf[i + 4] + 256 * buf[i + 5]
        y = buf[i + 6] + 256 * buf[i + 7]
        return 8 + x * y
    if key == (GS, ord("(")):  # GS ( k / GS ( L: pL pH then p bytes
        if i + 5 > len(buf):
            return None
        return 5 + buf[i + 3] + 256 * buf[i + 4]
    if key in _FIXED:
        return _FIXED[key]
    if b == DLE:
        return 1  # a plain 0x10 byte in text
    raise ParseError(f"unknown command {bytes(buf[i:i + 2])!r} at byte {i}")


@dataclass
class Line:
    text: str
    bold: bool = False
    align: str = "left"
    font: str = "a"
    double_height: bool = False


@dataclass
class Receipt:
    lines: list[Line] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: int = 0
    cut: bool = False
    codepage_tables: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def find(self, needle: str) -> Line:
        for line in self.lines:
            if needle in line.text:
                return line
        raise AssertionError(f"{needle!r} not printed; got:\n{self.text}")


def complete_copies(receipts: list[Receipt], needle: str) -> int:
    """How many whole receipts (ending in a cut) carry ``needle``."""
    return sum(1 for r in receipts if r.cut and needle in r.text)


def _codec_for_table(table: int) -> str:
    from kiosk.config.printer_profiles import capabilities

    name = capabilities()["profiles"]["default"]["codePages"].get(str(table), "Unknown")
    codec = capabilities()["encodings"].get(name, {}).get("python_encode")
    if not codec:
        raise ParseError(f"code page table {table} ({name}) cannot be decoded")
    return codec


def decode(data: bytes) -> list[Receipt]:
    """Receipts in the printed bytes: each starts at ESC @ and ends at a cut (or the end)."""
    receipts: list[Receipt] = []
    cur = Receipt()
    codec = "cp437"  # the power-on table
    bold, align, font, tall = False, "left", "a", False
    text = bytearray()
    i = 0

    def end_line() -> None:
        cur.lines.append(Line(text.decode(codec), bold, align, font, tall))
        text.clear()

    while i < len(data):
        n = next_command(data, i)
        if n is None:
            raise ParseError(f"truncated command at byte {i}")
        cmd = data[i : i + n]
        b = cmd[0]
        if n == 1 and b not in (ESC, GS):
            if b == 0x0A:
                end_line()
            elif b != 0x0D:
                text.append(b)
        elif cmd[:2] == b"\x1b@":
            if cur.lines or cur.images or text:
                receipts.append(cur)  # a job that never reached its cut
            cur = Receipt()
            codec, bold, align, font, tall = "cp437", False, "left", "a", False
        elif cmd[:2] == b"\x1bt":
            codec = _codec_for_table(cmd[2])
            cur.codepage_tables.append(cmd[2])
        elif cmd[:2] == b"\x1bE":
            bold = bool(cmd[2] & 1)
        elif cmd[:2] == b"\x1ba":
            align = {0: "left", 1: "center", 2: "right"}.get(cmd[2] % 48, "left")
        elif cmd[:2] == b"\x1bM":
            font = "b" if cmd[2] % 48 == 1 else "a"
        elif cmd[:2] in (b"\x1b!", b"\x1d!"):
            tall = bool(cmd[2] & (0x10 if cmd[:2] == b"\x1b!" else 0x0F))
        elif cmd[:2] == b"\x1bd":
            for _ in range(cmd[2]):
                end_line()
        elif cmd[:2] == b"\x1dv":
            cur.images += 1
            cur.qr.extend(_qr_in_raster(cmd))
        elif cmd[:3] == b"\x1d(k" and cmd[5:7] == b"1P":
            cur.qr.append(cmd[8:].decode("utf-8"))  # native QR: the stored data
        elif cmd[:2] == b"\x1dV":
            if text:
                end_line()
            cur.cut = True
            receipts.append(cur)
            cur = Receipt()
        i += n
    if text:
        end_line()
    if cur.lines or cur.images:
        receipts.append(cur)
    # Feed lines before a cut are blank: drop trailing blanks for easier asserts.
    for r in receipts:
        while r.lines and not r.lines[-1].text:
            r.lines.pop()
    return receipts


def _qr_in_raster(cmd: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    x = cmd[4] + 256 * cmd[5]
    y = cmd[6] + 256 * cmd[7]
    img = Image.frombytes("1", (x * 8, y), bytes(cmd[8:]))  # 1 = black dot
    img = Image.eval(img.convert("L"), lambda v: 255 - v)  # black on white for the reader
    img = img.resize((img.width * 2, img.height * 2))
    return [r.text for r in zxingcpp.read_barcodes(img)]


# --- the printer ----------------------------------------------------------------------------------


def _moves_paper(cmd: bytes) -> bool:
    """Text, a line feed, a feed, an image or a QR code: the command puts something on paper
    (unlike mode settings such as bold or alignment, which python-escpos resets after a cut)."""
    return (len(cmd) == 1 and cmd[0] not in (ESC, GS)) or cmd[:2] in (
        b"\x1bd", b"\x1bJ", b"\x1dv", b"\x1d(")


@dataclass
class _Connection:
    """What the printer knows about one connection, to tell whether a job is still arriving."""

    open: bool = True
    stalled: bool = False  # stopped reading (hang, stall_after): nothing more will arrive
    between_jobs: bool = False  # a cut came, and nothing printed since; nothing half-received

    @property
    def receiving(self) -> bool:
        return self.open and not self.stalled and not self.between_jobs


class PrinterEmulator:
    """Start with ``with PrinterEmulator() as printer:``; point a Network printer at
    ``printer.host``/``printer.port``."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.printed = bytearray()  # what came out on paper
        self.buffered = bytearray()  # received while out of paper / cover open
        self.paper = "ok"
        self.cover_open = False
        self.answer_status = True
        self.hang = False
        self.stall_after: int | None = None
        # Paper ends once more than this many bytes have printed (a roll running out mid-job).
        self.paper_out_after: int | None = None
        self.connections = 0
        self.received = 0  # bytes read from every connection, printed or not yet
        self.status_replies = 0
        self.errors: list[str] = []
        self._lock = threading.Condition()
        self._listener: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._generation = 0  # bumped by power_cycle: old connections stop
        self._frozen: list[socket.socket] = []  # see drop_new_connections
        self._states: dict[socket.socket, _Connection] = {}

    def __enter__(self) -> PrinterEmulator:
        self.listen()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- switching faults ------------------------------------------------------------------

    def listen(self) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited: a small window
        s.bind((self.host, self.port))
        s.listen(8)
        self.port = s.getsockname()[1]
        self._listener = s
        t = threading.Thread(target=self._accept, args=(s,), daemon=True, name="emulator")
        t.start()
        self._threads.append(t)

    def refuse(self) -> None:
        """Stop listening: connections are refused (printer off, wrong port)."""
        s, self._listener = self._listener, None
        if s:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread; close() alone may not
            s.close()
        self._drop_clients()

    def drop_new_connections(self) -> None:
        """Connecting hangs (no SYN-ACK): a listener that never accepts, its backlog full."""
        self.refuse()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.host, self.port))
        s.listen(0)
        filler = socket.create_connection((self.host, self.port), timeout=2)
        self._frozen = [s, filler]

    def power_cycle(self) -> None:
        """Off and on again: faults cleared, connections dropped, unprinted data lost."""
        with self._lock:
            self._generation += 1
            self.hang = False
            self.stall_after = None
            self.paper_out_after = None
            self.answer_status = True
            self.cover_open = False
            if self.paper == "out":
                self.paper = "ok"
            self.buffered.clear()
            self._lock.notify_all()
        self._drop_clients()
        for s in self._frozen:
            s.close()
        self._frozen = []
        if self._listener is None:
            self.listen()

    def refill(self) -> None:
        """New paper roll: whatever waited in the buffer prints now."""
        with self._lock:
            self.paper = "ok"
            self._release()

    def close_cover(self) -> None:
        with self._lock:
            self.cover_open = False
            self._release()

    def close(self) -> None:
        self._closing = True
        with self._lock:
            self._generation += 1
            self._lock.notify_all()
        self.refuse()
        for s in self._frozen:
            s.close()
        for t in self._threads:
            t.join(timeout=5)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.05))
        return True

    def receiving(self) -> bool:
        """A job is still arriving on some connection (not closed, not cut, still read)."""
        with self._lock:
            return any(c.receiving for c in self._states.values())

    def receipts(self, timeout: float = 60.0) -> list[Receipt]:
        """The receipts printed so far, once no job is still arriving (up to ``timeout``)."""
        self.wait_for(lambda: not any(c.receiving for c in self._states.values()), timeout)
        with self._lock:
            return decode(bytes(self.printed))

    # --- internals -----------------------------------------------------------------------------

    def _release(self) -> None:
        if self.paper != "out" and not self.cover_open and self.buffered:
            self.printed += self.buffered
            self.buffered.clear()
        self._lock.notify_all()

    def _drop_clients(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for c in clients:
            try:
                # Linger 0: close() sends RST, like a printer that lost power.
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
            except OSError:
                pass

    def _accept(self, listener: socket.socket) -> None:
        while not self._closing:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._clients.append(conn)
                gen = self._generation
                self._lock.notify_all()
            t = threading.Thread(target=self._serve, args=(conn, gen), daemon=True)
            t.start()
            self._threads.append(t)

    def _alive(self, gen: int) -> bool:
        return not self._closing and gen == self._generation

    def _serve(self, conn: socket.socket, gen: int) -> None:
        state = _Connection()
        with self._lock:
            self._states[conn] = state
        try:
            self._read(conn, gen, state)
        finally:
            with self._lock:
                state.open = False
                del self._states[conn]
                self._lock.notify_all()

    def _read(self, conn: socket.socket, gen: int, state: _Connection) -> None:
        buf = bytearray()
        job_bytes = 0
        try:
            conn.settimeout(0.05)
        except OSError:  # dropped (power cycle, refuse) before this thread got going
            return
        while self._alive(gen):
            with self._lock:
                stuck = self.hang or (
                    self.stall_after is not None and job_bytes >= self.stall_after
                )
                if stuck != state.stalled:
                    state.stalled = stuck
                    self._lock.notify_all()
                if stuck:  # not reading: the kiosk's data piles up in the socket buffers
                    self._lock.wait(0.05)
                    continue
            try:
                chunk = conn.recv(256 if self.stall_after is not None else 4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            job_bytes += self._process(conn, buf)
            with self._lock:
                self.received += len(chunk)
                state.between_jobs = state.between_jobs and not buf  # half a command waits
                self._lock.notify_all()

    def _process(self, conn: socket.socket, buf: bytearray) -> int:
        """Handle complete commands in ``buf``; return how many print bytes were taken."""
        taken = 0
        i = 0
        try:
            while i < len(buf):
                n = next_command(buf, i)
                if n is None:
                    break
                cmd = bytes(buf[i : i + n])
                if cmd[:2] == b"\x10\x04":
                    self._status(conn, cmd[2])
                else:
                    with self._lock:
                        out = self.paper == "out" or self.cover_open
                        (self.buffered if out else self.printed).extend(cmd)
                        state = self._states.get(conn)
                        if state is not None:  # a job ends at its cut; paper moving starts one
                            if cmd[:2] == b"\x1dV":
                                state.between_jobs = True
                            elif _moves_paper(cmd):
                                state.between_jobs = False
                        self._lock.notify_all()
                    taken += n
                i += n
        except ParseError as e:
            self.errors.append(str(e))
            i = len(buf)
        del buf[:i]
        with self._lock:
            if self.paper_out_after is not None and len(self.printed) > self.paper_out_after:
                self.paper = "out"
        return taken

    def _status(self, conn: socket.socket, n: int) -> None:
        with self._lock:
            if not self.answer_status:
                return
            out = self.paper == "out"
            low = self.paper == "low"
            reply = 0x12
            if n == 1 and (out or self.cover_open):
                reply |= 0x08
            elif n == 2:
                reply |= (0x04 if self.cover_open else 0) | (0x20 if out else 0)
            elif n == 4:
                reply |= 0x60 if out else (0x0C if low else 0)
            self.status_replies += 1
        with contextlib.suppress(OSError):
            conn.sendall(bytes([reply]))
