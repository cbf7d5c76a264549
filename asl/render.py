"""Render the report: metrics context -> HTML (Jinja2) -> PDF (WeasyPrint)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .config import TEMPLATES_DIR
from .errors import AslError
from .report_context import build_context

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"


class RenderError(AslError):
    """The report could not be rendered (template or PDF engine)."""


def render_html(context: dict, templates_dir: Path = TEMPLATES_DIR) -> str:
    """Fill the report template; the stylesheet is inlined so the HTML stands alone."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    css = (Path(templates_dir) / STYLESHEET).read_text()
    return environment.get_template(TEMPLATE).render(**context, css=css)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> Path:
    """Call ``write(temporary)`` then rename it over ``path``; on error ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes it private; a report is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_html(html: str, path: Path) -> Path:
    """Write the HTML preview atomically."""
    return _atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))


def write_pdf(html: str, path: Path, base_url: Path) -> Path:
    """Lay out the HTML with WeasyPrint and write the PDF atomically.

    ``base_url`` is the report folder, so relative figure paths resolve as in the preview.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise RenderError(
            f"WeasyPrint cannot be loaded ({error}). Install it with `pip install weasyprint` "
            "(it also needs the Pango library: `apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0` on Debian/Ubuntu); the HTML preview was still written.") from None
    document = weasyprint.HTML(string=html, base_url=str(Path(base_url).resolve()) + "/")
    return _atomic_write(path, lambda tmp: document.write_pdf(target=str(tmp)))


def render_report(out_dir: Path, variants: list[dict], manifest: dict, quick: bool,
                  failures: dict[str, str], html_name: str = "report.html",
                  pdf_name: str = "report.pdf") -> tuple[Path, Path]:
    """Build the context from the variants' metrics, write the HTML preview and the PDF."""
    out_dir = Path(out_dir)
    context = build_context(out_dir, variants, manifest, quick, failures)
    html = render_html(context)
    html_path = write_html(html, out_dir / html_name)
    pdf_path = write_pdf(html, out_dir / pdf_name, base_url=out_dir)
    return html_path, pdf_path
