"""Real disks for the storage tests: a tmpfs mounted for the test, read-only by remounting it,
full by filling it. Mounting needs root and the right to mount; a test that needs a disk is
skipped otherwise, with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=30)


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real, private filesystem of ``size`` at ``where`` (skips the test if it cannot mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where))
    except subprocess.CalledProcessError as e:
        pytest.skip(f"cannot mount a tmpfs here: {e.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def remount_read_only(where: Path) -> None:
    _mount("-o", "remount,ro", str(where))


def fill_up(where: Path) -> Path:
    """Fill the filesystem at ``where`` to the last byte; returns the filler to delete later."""
    filler = where / "filler.bin"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
    try:
        for size in (1 << 20, 4096, 1):  # big blocks, then the last partial ones
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler
