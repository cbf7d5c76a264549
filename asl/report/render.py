"""Render the report: metrics context -> HTML (Jinja2) -> PDF (WeasyPrint)."""
from __future__ import annotations

import functools
import io
import json
from pathlib import Path

from asl.config import TEMPLATES_DIR
from asl.errors import AslError
from asl.files import atomic_write
from asl.report.context import build_context
from asl.report.formatting import fmt_acc, fmt_p

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
MANIFEST = "manifest.json"
PDF_VARIANT = "pdf/ua-1"     # tagged PDF for screen readers (structure, alt text, language)


class RenderError(AslError):
    """The report could not be rendered (template or PDF engine)."""


def render_html(context: dict, templates_dir: Path = TEMPLATES_DIR) -> str:
    """Fill the report template; the stylesheet is inlined so the HTML stands alone."""
    css = (Path(templates_dir) / STYLESHEET).read_text()
    return _environment(str(Path(templates_dir).resolve())).get_template(TEMPLATE).render(
        **context, css=css)


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: str):
    """One Jinja2 environment per templates folder: it keeps the compiled template (half a
    second to compile) and compiles it again when the file changes (``auto_reload``)."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True, auto_reload=True)
    environment.filters.update(acc=fmt_acc, p=fmt_p)
    return environment


def write_html(html: str, path: Path) -> Path:
    """Write the HTML preview atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))


def write_pdf(html: str, path: Path, base_url: Path, attachments: dict[str, bytes] | None = None
              ) -> Path:
    """Lay out the HTML with WeasyPrint and write a tagged PDF atomically, with
    ``attachments`` (file name -> content: the build manifest) embedded.

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
    files = [weasyprint.Attachment(file_obj=io.BytesIO(content), name=name,
                                   description="Build manifest: what this report was built from")
             for name, content in (attachments or {}).items()]
    return atomic_write(path, lambda tmp: document.write_pdf(
        target=str(tmp), pdf_variant=PDF_VARIANT, attachments=files))


def render_report(out_dir: Path, variants: list[dict], manifest: dict, quick: bool,
                  failures: dict[str, str], study: dict | None = None,
                  html_name: str = "report.html", pdf_name: str = "report.pdf"
                  ) -> tuple[Path, Path]:
    """Build the context from the variants' metrics, write the HTML preview and the PDF."""
    out_dir = Path(out_dir)
    context = build_context(out_dir, variants, manifest, quick, failures, study)
    html = render_html(context)
    html_path = write_html(html, out_dir / html_name)
    pdf_path = write_pdf(html, out_dir / pdf_name, base_url=out_dir,
                         attachments={MANIFEST: json.dumps(manifest, indent=1).encode()})
    return html_path, pdf_path
