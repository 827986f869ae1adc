"""The browser tests' screenshot helper asks once more only when Chromium had no frame to copy."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Error  # noqa: E402

from tests.test_portal_browser import capture  # noqa: E402

NO_FRAME = "Page.screenshot: Protocol error (Page.captureScreenshot): Unable to capture screenshot"


class FakePage:
    def __init__(self, failures: list[str]):
        self.failures = list(failures)
        self.shots: list[tuple[str, bool]] = []
        self.waited = 0

    def screenshot(self, path: str, full_page: bool) -> None:
        self.shots.append((path, full_page))
        if self.failures:
            raise Error(self.failures.pop(0))
        Path(path).write_bytes(b"png")

    def evaluate(self, script: str) -> None:
        assert "requestAnimationFrame" in script
        self.waited += 1


def test_a_capture_that_works_is_taken_once(tmp_path):
    page = FakePage([])
    capture(page, tmp_path / "a.png")
    assert page.shots == [(str(tmp_path / "a.png"), True)] and page.waited == 0
    assert (tmp_path / "a.png").read_bytes() == b"png"


def test_no_frame_once_waits_for_a_frame_and_takes_it_again(tmp_path):
    page = FakePage([NO_FRAME])
    capture(page, tmp_path / "a.png")
    assert len(page.shots) == 2 and page.waited == 1
    assert (tmp_path / "a.png").exists()


def test_no_frame_twice_fails_the_test(tmp_path):
    page = FakePage([NO_FRAME, NO_FRAME])
    with pytest.raises(Error, match="Unable to capture screenshot"):
        capture(page, tmp_path / "a.png")
    assert len(page.shots) == 2


def test_any_other_browser_error_is_not_retried(tmp_path):
    page = FakePage(["Page.screenshot: Target page, context or browser has been closed"])
    with pytest.raises(Error, match="has been closed"):
        capture(page, tmp_path / "a.png")
    assert len(page.shots) == 1 and page.waited == 0
