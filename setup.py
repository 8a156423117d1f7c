"""The build step pyproject.toml cannot say: the wheel carries the sample campaign and the letter
templates inside the package.

assets/ and templates/ stay at the top of the repository, where organisers and the docs find
them, and where the sample campaign's ``templates_dir = "../templates"`` points. An installed
kiosk cannot reach the top of a repository, so the build copies both folders, files only and
no links, to ``kiosk/_bundled/`` in the wheel; ``kiosk.paths`` finds them there through
importlib.resources, and falls back to the top of the source tree when run from a clone. The
sdist carries the folders as they are (MANIFEST.in), so a wheel built from it gets them too.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("assets", "templates")
BUNDLED_INTO = Path("kiosk", "_bundled")


def bundled_files() -> list[Path]:
    """Each file of assets/ and templates/, relative to the top: no caches, editor or hidden
    files, which would otherwise end up on every kiosk."""
    found = []
    for folder in BUNDLED:
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if path.is_file() and not path.name.endswith(("~", ".pyc", ".swp", ".orig")):
                found.append(rel)
    return found


class BuildPyWithBundled(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install runs from the source tree, folders and all
        # A build folder left by an earlier build may hold files removed since: start afresh.
        shutil.rmtree(Path(self.build_lib, BUNDLED_INTO), ignore_errors=True)
        for rel in bundled_files():
            dest = Path(self.build_lib, BUNDLED_INTO, rel)
            self.mkpath(str(dest.parent))
            # Not the source's mode bits: a read-only checkout must not make read-only copies.
            self.copy_file(str(ROOT / rel), str(dest), preserve_mode=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = [str(Path(self.build_lib, BUNDLED_INTO, rel)) for rel in bundled_files()]
        return [*super().get_outputs(include_bytecode), *extra]


setup(cmdclass={"build_py": BuildPyWithBundled})
