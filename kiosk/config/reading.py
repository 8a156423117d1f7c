"""Reading an organiser's file (the campaign file, a template) without trusting it.

Only a regular file is read, and only up to a size limit: a path that is a link to /dev/zero, a
FIFO nobody writes to, a folder or a 2 GB file gives a plain reason at once instead of running
out of memory or waiting for ever. Nothing is opened before it is known to be a regular file,
and the open never blocks.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """Why a file cannot be used, in words for the person who edits it. ``missing`` is True
    when there is simply no file there."""

    def __init__(self, reason: str, *, missing: bool = False):
        self.reason = reason
        self.missing = missing
        super().__init__(reason)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def _check_regular(mode: int, size: int, max_bytes: int, path: Path) -> None:
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        if kind == "a folder":
            raise UnreadableFile("this is a folder, not a file")
        link = f" ({path} leads to {path.resolve()})" if path.is_symlink() else ""
        raise UnreadableFile(f"not a regular file: it is {kind}{link}; give a plain text file")
    if size > max_bytes:
        raise UnreadableFile(
            f"too large ({size:,} bytes); at most {_size_words(max_bytes)} is read")


def _size_words(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n % (1024 * 1024) == 0 else f"{n // 1024} KiB"


def check_file(path: Path, max_bytes: int) -> None:
    """Raise UnreadableFile unless ``path`` is a regular file of at most ``max_bytes``; opens
    nothing, so it is safe on a FIFO or a device."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile("file not found", missing=True) from None
    except OSError as e:
        raise UnreadableFile(f"cannot be read: {e.strerror or e}") from None
    except ValueError:  # a NUL in the name
        raise UnreadableFile("not a usable file name (it holds a control character)") from None
    _check_regular(info.st_mode, info.st_size, max_bytes, path)


def read_text_file(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of the regular file at ``path``, at most ``max_bytes`` long."""
    check_file(path, max_bytes)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFile("file not found", missing=True) from None
    except PermissionError:
        raise UnreadableFile(
            "cannot be read by this user (permission denied); make it readable, e.g. chmod a+r"
        ) from None
    except OSError as e:
        raise UnreadableFile(f"cannot be read: {e.strerror or e}") from None
    try:
        # Swapped between the stat and the open? Check what was actually opened.
        opened = os.fstat(fd)
        _check_regular(opened.st_mode, opened.st_size, max_bytes, path)
        data = bytearray()
        while len(data) <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as e:
        raise UnreadableFile(f"cannot be read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableFile(f"too large; at most {_size_words(max_bytes)} is read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise UnreadableFile(
            f"not UTF-8 text (line {line} has the byte 0x{data[e.start]:02X}, perhaps an accent "
            "saved as Latin-1); save the file as UTF-8"
        ) from None
