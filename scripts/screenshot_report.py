#!/usr/bin/env python3
"""Render a tsgan report.html in headless Chromium and save a PNG screenshot.

Usage: python scripts/screenshot_report.py RUN/report.html [OUT.png] [--height 4000]

Checks that the report really renders in a browser (Debian's ``chromium`` or
``chromium-browser``), offline, and gives a picture to look at. Exit code 0 and the PNG path
on stdout on success; 2 with one line on stderr when no browser is installed or it fails.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The first headless-capable Chromium on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(html: Path, out: Path, width: int = 1280, height: int = 4000,
               timeout: float = 120) -> Path:
    """Render ``html`` in headless Chromium into ``out`` (PNG); raise RuntimeError on failure."""
    browser = find_browser()
    if browser is None:
        raise RuntimeError("no chromium / chromium-browser on PATH")
    html = html.resolve()
    if not html.is_file():
        raise RuntimeError(f"{html} does not exist")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.png")
    with tempfile.TemporaryDirectory(prefix="tsgan-chromium-") as profile:
        cmd = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={profile}", f"--screenshot={tmp}",
            f"--window-size={width},{height}", html.as_uri(),
        ]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"{browser} timed out after {timeout:.0f} s") from exc
    if not tmp.is_file() or tmp.stat().st_size == 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{browser} wrote no screenshot (exit {result.returncode}): {detail}")
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="report.html to render")
    parser.add_argument("out", type=Path, nargs="?", help="PNG to write (default: beside html)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=4000)
    args = parser.parse_args(argv)
    out = args.out or args.html.with_suffix(".png")
    try:
        path = screenshot(args.html, out, args.width, args.height)
    except RuntimeError as exc:
        print(f"screenshot_report: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
