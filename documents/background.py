"""A helper process a document step starts and then works beside (Chromium printing the bulletin)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import Self


class Background:
    """The process runs while the caller works; ``finish`` waits for its exit code and error output. One that
    is not waited for is killed when its ``with`` block ends."""

    def __init__(self, cmd: Sequence[str], env: dict[str, str] | None = None) -> None:
        self._process = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                         env=env)

    def finish(self, timeout: float) -> tuple[int, str]:
        """(exit code, error output) once the process has ended; ``subprocess.TimeoutExpired`` after ``timeout`` s."""
        _, stderr = self._process.communicate(timeout=timeout)
        return self._process.returncode, stderr or ""

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
