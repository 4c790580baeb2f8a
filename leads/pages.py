"""The receiver's HTML pages, in Italian: the error page for plain (non-JavaScript) posts and the
pages a confirmation or withdrawal link opens (``notice_page``). The markup is in
``leads/templates/page.html``; the funnel report (``leads/report_page.py``) renders from the same
folder and environment, so both share ``head.html``.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from approdo import brand

TEMPLATES = Path(__file__).parent / "templates"
# Autoescape: every value a visitor or an author supplies is escaped.
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                          trim_blocks=True, lstrip_blocks=True)

# Inlined: the receiver may run on another origin than the site, and one page needs no request.
# A receiver installed without the site's sources shows the browser's default colours instead.
BRAND_CSS = (brand.TOKENS_FILE.read_text(encoding="utf-8") if brand.TOKENS_FILE.is_file()
             else "")
FORM_HINT = "Con il tasto «Indietro» del browser ritrovi il modulo con quello che hai scritto."


def _page(**values: object) -> bytes:
    return environment.get_template("page.html").render(brand_css=BRAND_CSS, **values).encode("utf-8")


def error_page(title: str, message: str, errors: list[tuple[str, str]], back: str,
               back_label: str = "Torna al modulo") -> bytes:
    """The error page: a title, a message, the (label, problem) list and a link back."""
    return _page(title=title, message=message, errors=errors, link=back, link_label=back_label,
                 hint=FORM_HINT)


def notice_page(title: str, message: str, link: str, link_label: str = "Vai al sito") -> bytes:
    """A page that tells the outcome of a link from an email (confirmation, withdrawal)."""
    return _page(title=title, message=message, errors=[], link=link, link_label=link_label, hint="")
