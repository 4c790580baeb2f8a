"""The receiver's HTML pages, in Italian: the error page for plain (non-JavaScript) posts and the
pages a confirmation or withdrawal link opens (``notice_page``).

Every value is escaped; the page never shows what the visitor typed, only which fields to fix.
"""

from __future__ import annotations

from html import escape
from string import Template

from approdo import brand

# Inlined: the receiver may run on another origin than the site, and one page needs no request.
# A receiver installed without the site's sources shows the browser's default colours instead.
BRAND_CSS = (brand.TOKENS_FILE.read_text(encoding="utf-8") if brand.TOKENS_FILE.is_file()
             else "")

PAGE = Template("""<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>$title</title>
<style>
$brand
  /* The site's brand tokens above (overrides/assets/stylesheets/brand.css), light and dark. */
  :root { color-scheme: light dark; }
  body { font: 1rem/1.5 var(--brand-font); margin: 0; padding: 2rem 1rem; color: var(--brand-text);
         background: var(--brand-bg); border-top: .4rem solid var(--brand-sea); }
  main { max-width: 36rem; margin: 0 auto; }
  h1 { font-size: 1.5rem; color: var(--brand-link); }
  a { color: var(--brand-link); }
  a:hover, a:focus { color: var(--brand-coral); }
  .hint { font-size: .875rem; color: var(--brand-muted); }
</style>
</head>
<body>
<main>
<h1>$title</h1>
<p>$message</p>
$errors
<p><a href="$back">$back_label</a></p>
$hint
</main>
</body>
</html>
""")

ERRORS = Template("""<ul>
$items
</ul>""")
ITEM = Template("<li><strong>$label</strong>: $problem</li>")
HINT = Template('<p class="hint">$text</p>')
FORM_HINT = "Con il tasto «Indietro» del browser ritrovi il modulo con quello che hai scritto."


def error_page(title: str, message: str, errors: list[tuple[str, str]], back: str,
               back_label: str = "Torna al modulo") -> bytes:
    """The error page: a title, a message, the (label, problem) list and a link back."""
    items = "\n".join(ITEM.substitute(label=escape(lab), problem=escape(problem)) for lab, problem in errors)
    return PAGE.substitute(
        brand=BRAND_CSS,
        title=escape(title),
        message=escape(message),
        errors=ERRORS.substitute(items=items) if errors else "",
        back=escape(back, quote=True),
        back_label=escape(back_label),
        hint=HINT.substitute(text=escape(FORM_HINT)),
    ).encode("utf-8")


def notice_page(title: str, message: str, link: str, link_label: str = "Vai al sito") -> bytes:
    """A page that tells the outcome of a link from an email (confirmation, withdrawal)."""
    return PAGE.substitute(brand=BRAND_CSS, title=escape(title), message=escape(message), errors="",
                           back=escape(link, quote=True), back_label=escape(link_label),
                           hint="").encode("utf-8")
