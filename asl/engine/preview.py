"""``python build.py preview``: serve the report folder on 127.0.0.1, re-render the HTML when
the templates, variants.yaml or a variant's results change, and make the open page reload.

The page is rendered in memory with a small server-sent-events script added; the saved
report.html and report.pdf are never written here.
"""
from __future__ import annotations

import errno
import html
import queue
import threading
import time
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from asl.engine import manifest, pipeline
from asl.errors import BuildError, UsageError

HOST = "127.0.0.1"
EVENTS = "/__preview/events"
LIVE_PAGES = ("/", "/report.html")
IMAGE_FILES = {".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp"}
RESULT_FILES = {".json", *IMAGE_FILES}
TEMPLATE_FILES = {".j2", ".jinja", ".html", ".css", ".js", *IMAGE_FILES}   # not editors' temps
KEEP_ALIVE = 10.0   # seconds between comments on an idle event stream


def reload_script(version: int) -> str:
    """Reloads the page when the server says the report changed (or changed since ``version``)."""
    return (f'<script>new EventSource("{EVENTS}?v={version}").onmessage = '
            '() => location.reload();</script>')


def with_reload(page: str, version: int) -> str:
    script = reload_script(version)
    at = page.rfind("</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def error_page(message: str) -> str:
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Preview: "
            f"render failed</title></head><body><h1>The report could not be rendered</h1>"
            f"<pre>{html.escape(message)}</pre><p>Fix it and save: this page reloads."
            "</p></body></html>")


@dataclass
class Sources:
    """What the preview renders from and watches."""

    options: pipeline.Options       # output folder, variants file, notebooks, quick
    templates: Path

    @property
    def out(self) -> Path:
        return self.options.out_dir


class Renderer:
    """Renders the report HTML; keeps the context while only the templates change."""

    def __init__(self, sources: Sources):
        self.sources, self.context = sources, None

    def render(self, results_changed: bool = True) -> str:
        from asl.report.context import build_context
        from asl.report.render import render_html

        if self.context is None or results_changed:
            options = self.sources.options
            table, entries, failures = pipeline.last_results(options)
            previous = manifest.previous(self.sources.out)
            self.context = build_context(self.sources.out, entries, previous,
                                         bool(previous.get("quick", options.quick)), failures,
                                         table.study)
        return render_html(self.context, self.sources.templates)


def kind_of_change(path: Path, sources: Sources) -> str | None:
    """'template', 'results' or None (a file the report does not depend on)."""
    path = Path(path)
    if path.name.startswith(".") or path.name.endswith("~"):   # editor and atomic-write temps
        return None
    if path.is_relative_to(sources.templates):
        return "template" if path.suffix.lower() in TEMPLATE_FILES else None
    if path == sources.options.variants_file.resolve() or path == sources.out / manifest.FILENAME:
        return "results"
    variants_dir = sources.out / "variants"
    if not path.is_relative_to(variants_dir):
        return None
    parts = path.relative_to(variants_dir).parts
    if parts[0].startswith(".") or parts[0].endswith(".failed"):   # runs still going, or failed
        return None
    if len(parts) == 1 or (len(parts) == 2 and path.suffix.lower() in RESULT_FILES):
        return "results"
    return None


class Preview:
    """The rendered page, its version, and the watchers that re-render it."""

    def __init__(self, sources: Sources, say=print):
        self.sources, self.say = sources, say
        self.renderer = Renderer(sources)
        self.changed = threading.Condition()
        self.version = 0
        self.page = ""
        self.stop = threading.Event()
        self.changes: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []

    def render(self, results_changed: bool = True, why: str = "") -> None:
        started = time.monotonic()
        try:
            page = self.renderer.render(results_changed)
            note = f"re-rendered in {time.monotonic() - started:.2f} s ({why})"
        except (BuildError, UsageError):
            raise
        except Exception as error:   # a template being edited: show it, keep serving
            page = error_page(f"{type(error).__name__}: {error}")
            note = f"render failed: {type(error).__name__}: {error}"
        with self.changed:
            self.version += 1
            self.page = with_reload(page, self.version)
            self.changed.notify_all()
        if why:
            self.say(f"preview: {note}", flush=True)

    def wait(self, seen: int, timeout: float) -> int:
        """The page's version once it differs from ``seen`` (or after ``timeout``)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.stop.is_set(), timeout)
            return self.version

    def _watch(self, paths: list[Path], recursive: bool, ready: threading.Event) -> None:
        from watchfiles import watch

        for changes in watch(*paths, recursive=recursive, stop_event=self.stop, debounce=400,
                             step=30, rust_timeout=500, yield_on_timeout=True,
                             raise_interrupt=False):
            ready.set()              # the first yield (changes or a timeout): it is watching
            if changes:
                self.changes.put([Path(path) for _, path in changes])

    def _rerender(self) -> None:
        while not self.stop.is_set():
            try:
                paths = self.changes.get(timeout=0.5)
            except queue.Empty:
                continue
            while not self.changes.empty():
                paths += self.changes.get()
            kinds = {path: kind_of_change(path, self.sources) for path in paths}
            relevant = sorted({p for p, kind in kinds.items() if kind}, key=str)
            if relevant:
                names = ", ".join(p.name for p in relevant[:3]) + (" ..." if len(relevant) > 3
                                                                   else "")
                try:
                    self.render("results" in kinds.values(), why=names)
                except (BuildError, UsageError) as error:
                    self.say(f"preview: {error}", flush=True)

    def start_watching(self) -> None:
        sources = self.sources
        trees = [sources.templates, sources.out / "variants"]
        folders = sorted({sources.options.variants_file.resolve().parent, sources.out})
        ready = [threading.Event(), threading.Event()]
        self.threads = [threading.Thread(target=self._watch, args=(trees, True, ready[0]),
                                         daemon=True),
                        threading.Thread(target=self._watch, args=(folders, False, ready[1]),
                                         daemon=True),
                        threading.Thread(target=self._rerender, daemon=True)]
        for thread in self.threads:
            thread.start()
        for event in ready:          # an edit saved right after the start line is not missed
            event.wait(timeout=10)

    def close(self) -> None:
        self.stop.set()
        with self.changed:
            self.changed.notify_all()
        for thread in self.threads:
            thread.join(timeout=2)


class Handler(SimpleHTTPRequestHandler):
    """Files of the report folder; the live page at / and /report.html; the event stream."""

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, **kwargs)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path in LIVE_PAGES:
            body = self.preview.page.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == EVENTS:
            self.events(int((parse_qs(url.query).get("v") or ["0"])[0] or 0))
        else:
            super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")   # figures are revalidated on reload
        super().end_headers()

    def events(self, seen: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        try:
            while not self.preview.stop.is_set():
                version = self.preview.wait(seen, KEEP_ALIVE)
                if version != seen:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format, *args):   # quiet: the terminal shows re-renders only
        pass


def serve(sources: Sources, port: int, open_browser: bool = False, say=print) -> int:
    """Render, serve and watch until Ctrl-C (or SIGTERM); return the exit code."""
    out = sources.out.resolve()
    if not (out / "variants").is_dir():
        raise UsageError(f"no results in {out}: build first (python build.py"
                         f"{' --quick' if sources.options.quick else ''}) or give --out DIR")
    sources = Sources(pipeline.Options(**{**vars(sources.options), "out": out}),
                      sources.templates.resolve())
    preview = Preview(sources, say)
    preview.render()
    try:
        server = ThreadingHTTPServer((HOST, port), partial(Handler, preview=preview,
                                                           directory=str(out)))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {HOST} is in use (another preview?): choose "
                           f"another with --port N, or --port 0 for any free port") from None
        raise UsageError(f"cannot listen on {HOST}:{port}: {error.strerror}") from None
    address = f"http://{HOST}:{server.server_address[1]}/"
    preview.start_watching()
    say(f"preview: {address} (report folder {out}); re-renders the HTML when templates/, "
        f"{sources.options.variants_file.name} or the variants' results change; Ctrl-C stops",
        flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(address)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
        server.server_close()
    say("preview: stopped", flush=True)
    return 0
