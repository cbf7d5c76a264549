"""Render the report: metrics context -> HTML (Jinja2) -> PDF (WeasyPrint)."""
from __future__ import annotations

import functools
import io
import json
from pathlib import Path

from asl import config
from asl.errors import AslError
from asl.files import atomic_write, replace_together
from asl.report.context import build_context
from asl.report.formatting import fmt_acc, fmt_p

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
MANIFEST = "manifest.json"
PDF_VARIANT = "pdf/ua-1"     # tagged PDF for screen readers (structure, alt text, language)


class RenderError(AslError):
    """The report could not be rendered (template or PDF engine)."""


def render_html(context: dict, templates_dir: Path | None = None) -> str:
    """Fill the report template; the stylesheet is inlined so the HTML stands alone. A template
    error is a RenderError naming the template file, its line and what Jinja found."""
    import jinja2

    templates_dir = Path(templates_dir or config.TEMPLATES_DIR).resolve()
    css = (templates_dir / STYLESHEET).read_text()
    try:
        return _environment(str(templates_dir)).get_template(TEMPLATE).render(**context, css=css)
    except jinja2.TemplateSyntaxError as error:
        where = _template_name(error.filename or error.name, templates_dir)
        raise RenderError(_template_message(where, error.lineno, error)) from None
    except Exception as error:       # raised while a template ran: undefined, missing include
        file, line = _template_frame(error.__traceback__, templates_dir)
        if file is None and not isinstance(error, jinja2.TemplateError):
            raise                     # a bug in the Python that builds the context
        raise RenderError(_template_message(file or TEMPLATE, line, error)) from None


def _template_message(file: str, line: int | None, error: Exception) -> str:
    """``the report template sections/data.j2, line 12: UndefinedError: 'x' is undefined``."""
    import jinja2

    found = getattr(error, "message", None) or str(error)
    if isinstance(error, jinja2.TemplateNotFound):
        found = f"the template {error.name} it includes does not exist"
    return (f"the report template {file}{f', line {line}' if line else ''}: "
            f"{type(error).__name__}: {found}; fix the template (the last good report and its "
            f"manifest were kept)")


def _template_name(filename: str | None, templates_dir: Path) -> str:
    """A template's path relative to the templates folder (as the user edits it)."""
    try:
        return str(Path(filename).resolve().relative_to(templates_dir))
    except (TypeError, ValueError):
        return str(filename)


def _template_frame(trace, templates_dir: Path) -> tuple[str | None, int | None]:
    """The innermost frame of ``trace`` that runs a template file: its name and line."""
    found = (None, None)
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if Path(filename).suffix in (".j2", ".jinja", ".html") and \
                str(Path(filename).resolve()).startswith(str(templates_dir)):
            found = (_template_name(filename, templates_dir), trace.tb_lineno)
        trace = trace.tb_next
    return found


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


def write_pdf(html: str, path: Path, base_url: Path, attachments: dict[str, bytes] | None = None
              ) -> Path:
    """Lay out the HTML with WeasyPrint and write a tagged PDF atomically, with
    ``attachments`` (file name -> content: the build manifest) embedded.

    ``base_url`` is the report folder, so relative figure paths resolve as in the preview.
    """
    return atomic_write(path, pdf_writer(html, base_url, attachments))


def pdf_writer(html: str, base_url: Path, attachments: dict[str, bytes] | None = None):
    """A function writing the tagged PDF of ``html`` to the path it is given."""
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
    return lambda tmp: document.write_pdf(target=str(tmp), pdf_variant=PDF_VARIANT,
                                          attachments=files)


def render_report(out_dir: Path, variants: list[dict], manifest: dict, quick: bool,
                  failures: dict[str, str], study: dict | None = None,
                  html_name: str = "report.html", pdf_name: str = "report.pdf"
                  ) -> tuple[Path, Path]:
    """Build the context from the variants' metrics and replace the HTML, the PDF and
    manifest.json together: after a template error, a PDF engine error or an interrupt all
    three are as they were."""
    out_dir = Path(out_dir)
    context = build_context(out_dir, variants, manifest, quick, failures, study)
    html = render_html(context)
    text = json.dumps(manifest, indent=1)
    replace_together(out_dir, {
        pdf_name: pdf_writer(html, out_dir, {MANIFEST: text.encode()}),
        html_name: lambda tmp: tmp.write_text(html, encoding="utf-8"),
        MANIFEST: lambda tmp: tmp.write_text(text, encoding="utf-8")})
    return out_dir / html_name, out_dir / pdf_name
