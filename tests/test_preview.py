"""`build.py preview`: serves a small built report on 127.0.0.1, re-renders its HTML when the
template, variants.yaml or a metrics.json changes, and the open page reloads itself; one test
drives Debian's headless Chromium through Selenium."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from asl import config
from asl.engine import variants
from asl.engine.cache import STAMP
from asl.report.context import SECTIONS
from conftest import ROOT
from report_builds import make_build

MARKER = '<p id="preview-marker">Edited while the preview ran.</p>'


def built_report(root: Path) -> dict[str, Path]:
    """A small finished build on disk (synthetic metrics, real notebooks' declarations), with
    its own copies of variants.yaml and the templates that a test may edit."""
    out, entries, the_manifest, *_ = make_build(root)
    names = [entry["name"] for entry in entries]
    table = yaml.safe_load(config.VARIANTS_FILE.read_text())
    table["variants"] = {name: table["variants"][name] for name in names}
    table["ideas"] = [idea for idea in table.get("ideas") or []
                      if {idea["with"], idea["without"]} <= set(names)]
    variants_file = root / "variants.yaml"
    variants_file.write_text(yaml.safe_dump(table, sort_keys=False))
    for name, variant in variants.load(variants_file, config.NOTEBOOKS_DIR).variants.items():
        run = out / "variants" / (f"{name}.seed1" if variant.seeded else name)
        if run.name != name:
            (out / "variants" / name).rename(run)
        (run / STAMP).write_text(json.dumps({"fingerprint": "f", "seconds": 1.0,
                                             "finished": "2026-11-24T00:59:00+00:00",
                                             "parameters": {}}))
    (out / "manifest.json").write_text(json.dumps(the_manifest, default=str))
    templates = root / "templates"
    shutil.copytree(config.TEMPLATES_DIR, templates)
    return {"out": out, "variants_file": variants_file, "templates": templates}


class Preview:
    """``build.py preview`` running in its own process; its output lines are collected."""

    def __init__(self, report: dict[str, Path], port: int = 0, background: bool = False):
        """``background``: started as a script's ``cmd &`` is, with SIGINT ignored."""
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "preview", "--port", str(port),
             "--out", str(report["out"]), "--templates", str(report["templates"]),
             "--variants-file", str(report["variants_file"])],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            if background else None)
        threading.Thread(target=lambda: self.lines.extend(iter(self.process.stdout.readline, "")),
                         daemon=True).start()
        self.address = self.wait_for(r"http://127\.0\.0\.1:\d+/", 90).group(0)

    def wait_for(self, pattern: str, timeout: float, start: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if match := re.search(pattern, line):
                    return match
            if self.process.poll() is not None:
                time.sleep(0.5)      # the reader thread takes the last lines
                if not any(re.search(pattern, line) for line in self.lines[start:]):
                    break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}: {self.lines}")

    def get(self, path: str = "") -> tuple[str, bytes]:
        with urllib.request.urlopen(self.address + path, timeout=30) as response:
            return response.headers["Content-Type"], response.read()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)   # generous: a loaded machine is slow to stop
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture(scope="module")
def _report_once(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("preview")
    built_report(root)
    return root


@pytest.fixture
def report(_report_once, tmp_path) -> dict[str, Path]:
    """A fresh copy of the small build for each test to edit."""
    root = tmp_path / "build"
    shutil.copytree(_report_once, root)
    return {"out": root / "report", "variants_file": root / "variants.yaml",
            "templates": root / "templates"}


@pytest.fixture
def preview(report):
    running = Preview(report)
    yield running
    running.stop()


def replace_atomically(path: Path, old: str, new: str) -> None:
    """Edit a file the way most editors save it: write a new file, rename it over the old."""
    text = path.read_text()
    assert old in text
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text.replace(old, new, 1))
    os.replace(tmp, path)


class Events:
    """The page's server-sent-event stream, read as the page's script would."""

    def __init__(self, preview: Preview, page: str):
        version = re.search(r"events\?v=(\d+)", page).group(1)
        self.response = urllib.request.urlopen(f"{preview.address}__preview/events?v={version}",
                                               timeout=30)

    def next_reload(self, timeout: float = 60) -> float:
        """Seconds until the server says the page changed; fails after ``timeout`` (the
        stream's keep-alive lines would otherwise wait for ever)."""
        started = time.monotonic()
        while not (line := self.response.readline().decode()).startswith("data:"):
            assert line, "event stream closed"
            assert time.monotonic() - started < timeout, "no reload: the change was missed"
        return time.monotonic() - started


def test_preview_serves_the_report_and_reloads_it_when_a_chapter_template_changes(preview, report):
    kind, page = preview.get()
    page = page.decode()
    assert kind.startswith("text/html") and "EventSource" in page
    assert all(f'<h2 id="{id_}">' in page for id_, _ in SECTIONS)
    figure = re.search(r'<img src="([^"]+\.(?:png|jpg))"', page).group(1)
    assert preview.get(figure)[0].startswith("image/")
    events = Events(preview, page)
    before = len(preview.lines)
    replace_atomically(report["templates"] / "sections" / "findings.html.j2", "</section>",
                       MARKER + "</section>")
    waited = events.next_reload()
    assert MARKER in preview.get()[1].decode()
    took = float(preview.wait_for(r"re-rendered in ([\d.]+) s", 5, before).group(1))
    assert took < 1.0 and waited < 3.0, (took, waited)
    assert not (report["out"] / "report.html").exists()     # the saved report is not touched


def test_preview_follows_variants_yaml_and_metrics_changes(preview, report):
    events = Events(preview, preview.get()[1].decode())
    replace_atomically(report["variants_file"], "title: CNN from scratch\n",
                       "title: The baseline CNN\n")
    events.next_reload()
    assert "The baseline CNN" in preview.get()[1].decode()
    metrics = report["out"] / "variants" / "cnn_augment.seed1" / "metrics.json"
    replace_atomically(metrics, "Confusion matrix of cnn_augment",
                       "Confusion matrix of the augmented CNN")
    events.next_reload()
    assert "Confusion matrix of the augmented CNN" in preview.get()[1].decode()


def test_a_broken_template_shows_its_error_until_it_is_fixed(preview, report):
    events = Events(preview, preview.get()[1].decode())
    template = report["templates"] / "report.html.j2"
    replace_atomically(template, "</body>", "{% if %}</body>")
    events.next_reload()
    assert "TemplateSyntaxError" in preview.get()[1].decode()
    replace_atomically(template, "{% if %}</body>", "</body>")
    events.next_reload()
    assert f'<h2 id="{SECTIONS[0][0]}">' in preview.get()[1].decode()


def listening_addresses(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp writes them) of the sockets listening on port."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return [row[1].split(":")[0] for row in rows
            if int(row[1].split(":")[1], 16) == port and row[3] == "0A"]


def test_ctrl_c_stops_a_preview_started_in_the_background(report):
    """A shell without job control (a script, a CI runner) starts `cmd &` with SIGINT ignored."""
    running = Preview(report, background=True)
    try:
        assert running.stop() == 0
    finally:
        if running.process.poll() is None:
            running.process.kill()


def test_preview_listens_on_localhost_only_and_stops_on_ctrl_c(preview):
    port = int(preview.address.rsplit(":", 1)[1].strip("/"))
    if Path("/proc/net/tcp").exists():
        assert listening_addresses(port) == ["0100007F"]     # 127.0.0.1
    assert preview.stop() == 0
    assert "preview: stopped" in preview.lines[-1]
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_port_in_use_is_refused_with_a_clear_message(report):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "preview", "--port", str(port),
             "--out", str(report["out"]), "--variants-file", str(report["variants_file"])],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_preview_of_a_folder_without_results_says_to_build_first(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "preview", "--out",
                             str(tmp_path / "nothing")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "build first" in result.stderr
    assert str(tmp_path / "nothing") in result.stderr and "Traceback" not in result.stderr


CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="no Chromium here: install Debian's "
                    "`chromium chromium-driver` (.ci/run does) to run the browser test")
def test_in_a_real_browser_the_report_is_whole_and_reloads_itself(preview, report):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(argument)
    browser = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        browser.set_page_load_timeout(60)
        browser.get(preview.address)
        headings = browser.execute_script(
            "return [...document.querySelectorAll('h2[id]')].map(h => h.id)")
        assert {id_ for id_, _ in SECTIONS} <= set(headings)
        WebDriverWait(browser, 30).until(lambda b: b.execute_script(
            "return [...document.images].every(i => i.complete)"))
        images = browser.execute_script(
            "return [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
        assert len(images) >= 10 and [src for src, width in images if width == 0] == []
        targets = browser.execute_script(
            "return [...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.hash.slice(1))")
        assert targets
        assert [t for t in targets if not browser.execute_script(
            "return document.getElementById(decodeURIComponent(arguments[0])) !== null", t)] == []
        browser.execute_script("window.notReloaded = true")
        replace_atomically(report["templates"] / "report.html.j2", "</body>", MARKER + "</body>")
        WebDriverWait(browser, 15).until(lambda b: b.execute_script(
            "return !window.notReloaded && document.getElementById('preview-marker') !== null"))
    finally:
        browser.quit()
