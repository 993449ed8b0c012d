"""Take the README screenshots from a fresh demo: `uv run python scripts/screenshots.py`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PORT = "8765"
# The project's own console script, next to the interpreter running this script.
CANDOR = str(Path(sys.executable).with_name("candor"))


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "candor-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("header nav .who")


def _shoot(page: Any, base: str) -> None:
    """The README's screenshots: a consultant's pages, then the DPO's desk."""
    _log_in(page, base, "consultant")
    shots = ROOT / "docs/screenshots"
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.goto(f"{base}/candidates/?language=fr&min_level=B2&province=antwerp")
    page.wait_for_selector("table.list")
    page.screenshot(path=str(shots / "candidates.png"))
    page.click("table.list tbody tr:first-child a")
    page.wait_for_selector("#privacy ul.purposes")  # the gate's answers, loaded by htmx
    page.screenshot(path=str(shots / "dossier.png"), full_page=True)
    page.click("#privacy h2 a")
    page.wait_for_selector("#purposes")
    page.screenshot(path=str(shots / "privacy.png"), full_page=True)
    page.goto(f"{base}/vacancies/?mine=1")
    page.click("table.list tbody tr:first-child a")
    page.wait_for_selector("h1")
    page.screenshot(path=str(shots / "pipeline.png"))
    page.context.clear_cookies()
    _log_in(page, base, "dpo")
    page.goto(f"{base}/privacy/")
    page.wait_for_selector("h1")
    page.screenshot(path=str(shots / "privacy-desk.png"), full_page=True)
    page.goto(f"{base}/privacy/requests/?queue=all")
    page.wait_for_selector("h1")
    page.screenshot(path=str(shots / "requests.png"), full_page=True)
    page.click("text=REQ-2026-0008")  # the demo's erasure, decided and proven
    page.wait_for_selector("#request-result")
    page.screenshot(path=str(shots / "request-erasure.png"), full_page=True)
    page.context.clear_cookies()
    _log_in(page, base, "client")
    page.goto(f"{base}/clients/profiles/")
    page.wait_for_selector("h1")
    page.click("main table a, main ul a >> nth=0")
    page.wait_for_selector("h1")
    page.screenshot(path=str(shots / "client-profile.png"), full_page=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    data = tempfile.mkdtemp(prefix="candor-shots-")
    env = {**os.environ, "CANDOR_DATA_DIR": data}
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603 - fixed arguments, our own executable
        [CANDOR, "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, our own executable
        [CANDOR, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        executable = shutil.which("chromium")
        if executable is None:
            print("chromium is not installed", file=sys.stderr)
            return 1
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=executable,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            _shoot(browser.new_page(viewport={"width": 1280, "height": 860}, locale="nl-BE"), base)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
