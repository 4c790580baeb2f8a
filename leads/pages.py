"""The receiver's HTML pages, in Italian: the error page for plain (non-JavaScript) posts and the
pages a confirmation or withdrawal link opens (``notice_page``).

Every value is escaped; the page never shows what the visitor typed, only which fields to fix.
"""

from __future__ import annotations

from html import escape
from string import Template

PAGE = Template("""<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>$title</title>
<style>
  /* The site's brand colours (docs/assets/stylesheets/approdo.css): sea blue, coral accent. */
  body { font: 1rem/1.5 system-ui, sans-serif; margin: 0; padding: 2rem 1rem; color: #1a1a1a; background: #fff;
         border-top: .4rem solid #14506a; }
  main { max-width: 36rem; margin: 0 auto; }
  h1 { font-size: 1.5rem; color: #0c3a4e; }
  a { color: #14506a; }
  a:hover, a:focus { color: #c2410c; }
  .hint { font-size: .875rem; opacity: .8; }
  @media (prefers-color-scheme: dark) { body { color: #eee; background: #1b1e25; } h1 { color: #eee; }
    a { color: #7cc4e2; } a:hover, a:focus { color: #ff9a6b; } }
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
        title=escape(title),
        message=escape(message),
        errors=ERRORS.substitute(items=items) if errors else "",
        back=escape(back, quote=True),
        back_label=escape(back_label),
        hint=HINT.substitute(text=escape(FORM_HINT)),
    ).encode("utf-8")


def notice_page(title: str, message: str, link: str, link_label: str = "Vai al sito") -> bytes:
    """A page that tells the outcome of a link from an email (confirmation, withdrawal)."""
    return PAGE.substitute(title=escape(title), message=escape(message), errors="",
                           back=escape(link, quote=True), back_label=escape(link_label),
                           hint="").encode("utf-8")
