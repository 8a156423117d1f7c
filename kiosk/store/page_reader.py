"""Rows read straight from the bytes of a damaged SQLite file and its WAL, page by page.

Salvage uses this for rows SQLite itself cannot reach: a letter whose own page is intact but
whose parent page (or the file's first page) was overwritten is unreachable through SQLite's
tree, yet whole on the disk. Only table leaf pages are read (they hold the rows); the freelist
is skipped (it holds nothing live). The WAL's committed frames replace the main file's pages,
as SQLite would read them. The format is https://www.sqlite.org/fileformat2.html.

Every length, offset and page number here comes from a damaged file: each is checked before use,
loops are bounded, and a cell or page that does not parse is skipped, never trusted.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HEADER_MAGIC = b"SQLite format 3\x00"
WAL_MAGIC = {0x377F0682: "<", 0x377F0683: ">"}  # checksum word order: little, big endian
PAGE_SIZES = tuple(1 << n for n in range(9, 17))  # 512 .. 65536
LEAF_TABLE = 0x0D
# A row larger than this is taken as damage: letters are kilobytes (compose caps the text).
MAX_PAYLOAD = 64 * 1024 * 1024
_MAX_OVERFLOW = MAX_PAYLOAD // 508  # overflow pages in one chain, at the smallest page size


class _Bad(Exception):
    """This cell or page does not parse: skip it."""


@dataclass(frozen=True)
class RawRow:
    page: int  # where it was found
    fresh: int  # higher is newer: the WAL frame it came from, or 0 for the main file
    rowid: int
    values: tuple[object, ...]


def _varint(buf: bytes | memoryview, pos: int, end: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        if pos >= end:
            raise _Bad("varint past the end")
        byte = buf[pos]
        pos += 1
        if i == 8:
            value = (value << 8) | byte
            break
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    if value >= 1 << 63:
        value -= 1 << 64
    return value, pos


# --- the file ------------------------------------------------------------------------------------


@dataclass
class Pages:
    """Every page as SQLite would read it: the main file, overlaid with committed WAL frames."""

    size: int
    usable: int
    data: dict[int, bytes | memoryview]
    fresh: dict[int, int]
    freelist: frozenset[int]

    @classmethod
    def load(cls, db: Path, wal: Path | None) -> Pages:
        main = _read(db)
        log = _read(wal) if wal else b""
        size = _header_page_size(main) or _wal_page_size(log)
        if size:
            return cls._at(size, main, log)
        # The header is gone and there is no WAL to say: the size that reads the most rows.
        tries = [cls._at(s, main, log) for s in PAGE_SIZES]
        return max(tries, key=lambda pages: sum(1 for _ in pages.rows()))

    @classmethod
    def _at(cls, size: int, main: bytes, log: bytes) -> Pages:
        reserved = main[20] if main.startswith(HEADER_MAGIC) and len(main) > 20 else 0
        usable = size - reserved if size - reserved >= 480 else size
        whole = memoryview(main)  # pages are views, not copies: a size is tried 8 times
        data: dict[int, bytes | memoryview] = {
            n + 1: whole[n * size:(n + 1) * size] for n in range(len(main) // size)}
        fresh = dict.fromkeys(data, 0)
        for frame, (number, page) in enumerate(_wal_frames(log, size), start=1):
            data[number], fresh[number] = page, frame
        return cls(size, usable, data, fresh, _freelist(data, size))

    def rows(self) -> Iterator[RawRow]:
        for number in sorted(self.data):
            if number in self.freelist:
                continue
            page = self.data[number]
            start = 100 if number == 1 else 0
            if len(page) <= start or page[start] != LEAF_TABLE:
                continue
            for rowid, payload in self._cells(page, start):
                values = _record(payload)
                if values is not None:
                    yield RawRow(number, self.fresh[number], rowid, values)

    def _cells(self, page: bytes | memoryview, start: int) -> Iterator[tuple[int, bytes]]:
        end = min(self.usable, len(page))
        count = int.from_bytes(page[start + 3:start + 5], "big")
        pointers = start + 8
        if pointers + 2 * count > end:
            return
        for i in range(count):
            at = int.from_bytes(page[pointers + 2 * i:pointers + 2 * i + 2], "big")
            if not pointers + 2 * count <= at < end:
                continue
            try:
                yield self._cell(page, at)
            except _Bad:
                continue

    def _cell(self, page: bytes | memoryview, at: int) -> tuple[int, bytes]:
        u = self.usable
        end = min(u, len(page))
        length, at = _varint(page, at, end)
        rowid, at = _varint(page, at, end)
        if length < 0 or length > MAX_PAYLOAD:
            raise _Bad("payload length")
        most = u - 35
        if length <= most:
            if at + length > end:
                raise _Bad("payload past the page")
            return rowid, bytes(page[at:at + length])
        least = (u - 12) * 32 // 255 - 23
        local = least + (length - least) % (u - 4)
        if local > most:
            local = least
        if at + local + 4 > end:
            raise _Bad("payload past the page")
        parts = [page[at:at + local]]
        need = length - local
        following = int.from_bytes(page[at + local:at + local + 4], "big")
        seen: set[int] = set()
        while need > 0:
            if following in seen or following not in self.data or len(seen) > _MAX_OVERFLOW:
                raise _Bad("overflow chain broken")
            seen.add(following)
            overflow = self.data[following]
            take = min(need, u - 4)
            parts.append(overflow[4:4 + take])
            need -= take
            following = int.from_bytes(overflow[:4], "big")
        payload = b"".join(parts)
        if len(payload) != length:
            raise _Bad("overflow page short")
        return rowid, payload


def _read(path: Path | None) -> bytes:
    try:
        return path.read_bytes() if path else b""
    except OSError:
        return b""


def _size_ok(size: int) -> int:
    return size if size in PAGE_SIZES else 0


def _header_page_size(main: bytes) -> int:
    if not main.startswith(HEADER_MAGIC) or len(main) < 100:
        return 0
    raw = int.from_bytes(main[16:18], "big")
    return _size_ok(65536 if raw == 1 else raw)


def _wal_page_size(log: bytes) -> int:
    if len(log) < 32 or struct.unpack(">I", log[:4])[0] not in WAL_MAGIC:
        return 0
    return _size_ok(struct.unpack(">I", log[8:12])[0])


def _checksum(data: bytes, order: str, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _wal_frames(log: bytes, size: int) -> Iterator[tuple[int, bytes]]:
    """(page number, page) of every committed frame, oldest first, as SQLite's recovery would
    accept them: the right salt, an unbroken checksum chain, up to the last commit."""
    if len(log) < 32:
        return
    magic, _version, page_size, _seq, salt1, salt2, c0, c1 = struct.unpack(">8I", log[:32])
    order = WAL_MAGIC.get(magic)
    if order is None or page_size != size:
        return
    s0, s1 = _checksum(log[:24], order, 0, 0)
    if (s0, s1) != (c0, c1):
        return
    pending: list[tuple[int, bytes]] = []
    at = 32
    while at + 24 + size <= len(log):
        number, commit, f1, f2, k0, k1 = struct.unpack(">6I", log[at:at + 24])
        page = log[at + 24:at + 24 + size]
        if (f1, f2) != (salt1, salt2) or number == 0:
            break
        s0, s1 = _checksum(log[at:at + 8], order, s0, s1)
        s0, s1 = _checksum(page, order, s0, s1)
        if (s0, s1) != (k0, k1):
            break
        pending.append((number, page))
        if commit:
            yield from pending
            pending = []
        at += 24 + size


def _freelist(data: dict[int, bytes | memoryview], size: int) -> frozenset[int]:
    """The pages SQLite has freed (old content, never live rows), from the header's list."""
    first = bytes(data.get(1, b"")[:100])
    if not first.startswith(HEADER_MAGIC) or len(first) < 40:
        return frozenset()
    free: set[int] = set()
    trunk = int.from_bytes(first[32:36], "big")
    while trunk and trunk in data and trunk not in free:
        free.add(trunk)
        page = data[trunk]
        count = int.from_bytes(page[4:8], "big")
        for i in range(min(count, (size - 8) // 4)):
            free.add(int.from_bytes(page[8 + 4 * i:12 + 4 * i], "big"))
        trunk = int.from_bytes(page[:4], "big")
    return frozenset(free)


# --- records -------------------------------------------------------------------------------------


def _record(payload: bytes) -> tuple[object, ...] | None:
    """A record's values, or None when it does not parse exactly."""
    try:
        size, at = _varint(payload, 0, len(payload))
        if not 1 <= size <= len(payload):
            return None
        types = []
        while at < size:
            kind, at = _varint(payload, at, size)
            types.append(kind)
        at = size
        values = []
        for kind in types:
            value, at = _value(payload, at, kind)
            values.append(value)
    except (_Bad, UnicodeDecodeError, struct.error):
        return None
    return tuple(values) if at == len(payload) else None


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _value(payload: bytes, at: int, kind: int) -> tuple[object, int]:
    if kind == 0:
        return None, at
    if kind in (8, 9):
        return kind - 8, at
    if kind in _INT_SIZES:
        n = _INT_SIZES[kind]
        if at + n > len(payload):
            raise _Bad("integer past the end")
        return int.from_bytes(payload[at:at + n], "big", signed=True), at + n
    if kind == 7:
        if at + 8 > len(payload):
            raise _Bad("float past the end")
        return struct.unpack(">d", payload[at:at + 8])[0], at + 8
    if kind >= 12:
        n = (kind - 12) // 2
        if at + n > len(payload):
            raise _Bad("text or blob past the end")
        chunk = payload[at:at + n]
        return (chunk.decode("utf-8") if kind % 2 else bytes(chunk)), at + n
    raise _Bad("reserved serial type")
