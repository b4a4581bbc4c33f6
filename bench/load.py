"""Load test of the Streamlit app: N real Chromium sessions drawing, uploading and comparing at once.

    python -m bench.load [--sessions 1 4 8] [--duration 60]        (make load)

For each level it starts `streamlit run` on a free loopback port, opens N sessions (one browser
context each) that loop until the time is up: draw a digit on the pad and time mouse-up → the
Prediction metric showing it (measured in the page), clear; every 4th action upload a new photo
right after clicking the Upload tab (a file neither read nor reported within 30 s is lost); every
6th open the Compare tab. The server's memory (RSS) and CPU are sampled every half second. A memory
probe then uploads 6000×6000 PNGs (1 session, then 4 at once) and samples RSS at 20 Hz. Bounded in
time, stops its processes; writes `reports/load.md` and `reports/load.json`. Nothing is asserted.
"""

import argparse
import asyncio
import dataclasses
import io
import json
import os
import platform
import threading
import time
from pathlib import Path

import psutil
from PIL import Image, ImageDraw

from bench import app_driver, load_report
from digits.files import write_atomically

REPO_DIR = Path(__file__).resolve().parent.parent
UPLOAD_EVERY = 4  # every 4th action of a session is an upload
COMPARE_EVERY = 6  # every 6th action opens the Compare tab
BIG_SIDE = 6000  # the memory probe's PNG side (36 megapixels: under the 40 MP cap)
LEVEL_GRACE_S = 150  # beyond its duration, a level may take this long (start-up, page loads, last actions)


@dataclasses.dataclass
class Record:
    """What one level measured (times in ms unless named otherwise).

    "Steady" is from the moment every session has loaded its page (page loads are full runs of the
    app: heavier than a stroke) to the end of the level.
    """

    sessions: int
    server: psutil.Process
    drawing_ms: list = dataclasses.field(default_factory=list)
    steady_drawing_ms: list = dataclasses.field(default_factory=list)
    upload_s: list = dataclasses.field(default_factory=list)
    lost_uploads: list = dataclasses.field(default_factory=list)
    compare_s: list = dataclasses.field(default_factory=list)
    page_load_s: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)
    memory: list = dataclasses.field(default_factory=list)  # (seconds since start, server RSS MB)
    load_average: list = dataclasses.field(default_factory=list)  # (seconds, 1-min load average)
    steady_at: tuple | None = None  # (time, server CPU s, browsers' CPU s, actions) when all pages loaded
    steady: dict = dataclasses.field(default_factory=dict)  # seconds, server and browsers' CPU s, actions

    def actions(self) -> int:
        """Drawings, uploads (read or lost) and Compare visits so far."""
        return len(self.drawing_ms) + len(self.upload_s) + len(self.lost_uploads) + len(self.compare_s)

    def server_cpu_s(self) -> float:
        """User + system CPU seconds the server process has used."""
        times = self.server.cpu_times()
        return times.user + times.system

    def page_loaded(self, seconds: float) -> None:
        """Count a loaded page; when the last one is in, the steady phase starts."""
        self.page_load_s.append(seconds)
        if len(self.page_load_s) == self.sessions:
            self.steady_at = (time.monotonic(), self.server_cpu_s(), browsers_cpu_s(), self.actions())

    def finish(self) -> None:
        """Close the steady phase (once, while the browsers still run): its length, CPU and actions."""
        if self.steady_at is not None and not self.steady:
            started, cpu, browsers_cpu, actions = self.steady_at
            self.steady = {
                "seconds": time.monotonic() - started,
                "server_cpu_s": self.server_cpu_s() - cpu,
                "browsers_cpu_s": browsers_cpu_s() - browsers_cpu,
                "actions": self.actions() - actions,
            }


def browsers_cpu_s() -> float:
    """User + system CPU seconds used so far by the Chromium processes this process started."""
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        try:
            if "chrom" in process.name():
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.Error:  # a renderer that ended meanwhile
            continue
    return total


class Sampler(threading.Thread):
    """Samples a process's RSS (MB) and the machine's load average every `interval` seconds."""

    def __init__(self, pid: int, *, interval: float):
        super().__init__(daemon=True)
        self.process, self.interval, self.started = psutil.Process(pid), interval, time.monotonic()
        self.memory, self.load_average, self.stopping = [], [], threading.Event()

    def run(self) -> None:
        """Sample until `stop`."""
        while not self.stopping.wait(self.interval):
            elapsed = round(time.monotonic() - self.started, 2)
            try:
                self.memory.append((elapsed, self.process.memory_info().rss / 1e6))
            except psutil.Error:
                return
            self.load_average.append((elapsed, os.getloadavg()[0]))

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self.stopping.set()
        self.join(timeout=5)


async def one_action(page, *, index: int, action: int, record: Record) -> None:
    """Upload, look at the Compare tab, or draw (timed) and clear the pad again."""
    if action % UPLOAD_EVERY == 0:
        name = f"session{index}-upload{action}.png"
        seconds = await app_driver.upload(page, name, app_driver.photo_png(seed=97 * index + action))
        (record.upload_s.append(seconds) if seconds is not None else record.lost_uploads.append(name))
        await page.get_by_role("tab", name="Draw").click()
    elif action % COMPARE_EVERY == 0:
        started = time.monotonic()
        await page.get_by_role("tab", name="Compare").click()
        await page.get_by_text("on the test set").first.wait_for(timeout=60_000)
        record.compare_s.append(time.monotonic() - started)
        await page.get_by_role("tab", name="Draw").click()
    else:
        expected = "17"[action % 2]
        drawing = app_driver.DRAWINGS[expected]
        milliseconds = await app_driver.draw(page, drawing, expected=expected)
        record.drawing_ms.append(milliseconds)
        if record.steady_at is not None:
            record.steady_drawing_ms.append(milliseconds)
        await app_driver.clear_pad(page)


async def session(browser, url: str, *, index: int, deadline: float, record: Record) -> None:
    """One user: open the app, then act until `deadline`; a failed action is an error, then reload."""
    errors = []
    page, seconds = await app_driver.open_app(browser, url, errors=errors)
    record.page_loaded(seconds)
    action = 0
    while time.monotonic() < deadline:
        action += 1
        try:
            await one_action(page, index=index, action=action, record=record)
        except Exception as error:  # a timeout or a broken page: counted, then a fresh page
            record.errors.append(f"session {index} action {action}: {str(error).splitlines()[0]}")
            await page.goto(url)
            await page.locator(app_driver.PAD).wait_for(timeout=60_000)
    record.errors.extend(f"session {index}: {message}" for message in errors)


async def run_level(sessions: int, *, duration_s: float, log_dir: Path) -> Record:
    """Serve the app, run `sessions` users for `duration_s`, sample the server all along."""
    from playwright.async_api import async_playwright

    environment = {
        "MNIST_DATA_DIR": os.environ.get("MNIST_DATA_DIR", str(REPO_DIR.parent / "shared" / "mnist"))
    }
    with app_driver.serve_app(log_path=log_dir / f"streamlit-{sessions}.log", environment=environment) as (
        url,
        server,
    ):
        record = Record(sessions=sessions, server=psutil.Process(server.pid))
        sampler = Sampler(server.pid, interval=0.5)
        sampler.start()
        try:
            async with async_playwright() as playwright:
                browser = await app_driver.launch(playwright)
                deadline = time.monotonic() + duration_s
                users = [
                    session(browser, url, index=i, deadline=deadline, record=record) for i in range(sessions)
                ]
                await asyncio.wait_for(asyncio.gather(*users), timeout=duration_s + LEVEL_GRACE_S)
                record.finish()  # before the browsers close: their CPU times go with them
                await browser.close()
        finally:
            record.finish()
            sampler.stop()
    record.memory, record.load_average = sampler.memory, sampler.load_average
    return record


def big_png(*, seed: int) -> bytes:
    """Make a 6000×6000 RGB 'scan' of a 1 (a dark bar on white): ~0.1 MB of PNG, 108 MB of pixels."""
    image = Image.new("RGB", (BIG_SIDE, BIG_SIDE), "white")
    left = BIG_SIDE // 2 + 50 * seed
    ImageDraw.Draw(image).line(
        [(left, BIG_SIDE // 6), (left - 200, 5 * BIG_SIDE // 6)], fill="black", width=350
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def memory_probe(*, log_dir: Path) -> list[dict]:
    """Upload 6000×6000 PNGs (1 session, then 4 at once); server RSS before, at peak, 10 s after."""
    from playwright.async_api import async_playwright

    files = [big_png(seed=seed) for seed in range(4)]
    results = []
    for count in (1, 4):
        with app_driver.serve_app(log_path=log_dir / f"streamlit-memory-{count}.log", environment={}) as (
            url,
            server,
        ):
            async with async_playwright() as playwright:
                browser = await app_driver.launch(playwright)
                pages = [(await app_driver.open_app(browser, url))[0] for _ in range(count)]
                await asyncio.sleep(3)
                sampler = Sampler(server.pid, interval=0.05)
                sampler.start()
                await asyncio.sleep(1)
                outcomes = await asyncio.gather(
                    *(
                        app_driver.upload(page, f"big{i}.png", files[i], timeout_ms=120_000)
                        for i, page in enumerate(pages)
                    )
                )
                await asyncio.sleep(10)
                sampler.stop()
                await browser.close()
        results.append(load_report.memory_summary(count, sampler.memory, outcomes, png_bytes=len(files[0])))
    return results


def machine() -> dict:
    """Describe the machine the figures come from (cores, memory, CPU, Python, load average now)."""
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu_model,
        "python": platform.python_version(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def main(argv=None) -> None:
    """Parse the options, run every level and the memory probe, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 8], help="levels (default 1 4 8)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of activity per level")
    parser.add_argument("--no-memory-probe", action="store_true", help="skip the 6000×6000 PNG probe")
    parser.add_argument("--report-dir", type=Path, default=REPO_DIR / "reports")
    options = parser.parse_args(argv)
    if options.duration <= 0 or any(count < 1 for count in options.sessions):
        parser.error(f"--duration must be > 0 and --sessions ≥ 1, got {options.duration}, {options.sessions}")
    log_dir = REPO_DIR / "artifacts" / "load"
    log_dir.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%d %H:%M"),
        "duration_s": options.duration,
    }
    levels = [
        asyncio.run(run_level(count, duration_s=options.duration, log_dir=log_dir))
        for count in options.sessions
    ]
    report["levels"] = [load_report.level_summary(record) for record in levels]
    report["memory_probe"] = [] if options.no_memory_probe else asyncio.run(memory_probe(log_dir=log_dir))
    report["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    write_atomically(options.report_dir / "load.json", json.dumps(report, indent=1) + "\n")
    markdown = load_report.to_markdown(report)
    write_atomically(options.report_dir / "load.md", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
