"""Server-side validation of a lead post against the form contract (``approdo.lead_form``).

Pure functions: bytes and headers in, clean values or Italian error messages out. The field
names, lengths, patterns and allowed values all come from the contract; this module only adds
what a receiver must check beyond it (body formats, control characters, URL schemes).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl, urlsplit

from approdo import lead_form
from approdo.lead_form import ELAPSED, FIELDS, FIELDS_BY_NAME, HONEYPOT, NEXT, PROOF

# How a request body is encoded; anything else is answered with 415.
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"  # what fetch() sends for a FormData body
JSON = "application/json"
ACCEPTED_TYPES = (FORM, MULTIPART, JSON)

# Fields whose value is a web address the visitor's browser filled in.
URL_FIELDS = ("page_url", "referrer", NEXT)

# Single-line fields may not hold control characters (C0, DEL, C1), line or paragraph
# separators, or the bidirectional embeddings, overrides and isolates that make an export or
# an email show text in another order than it was typed ("Trojan Source"); the message may
# hold tabs and newlines, nothing else of these.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MULTILINE_FIELDS = ("message",)

# Italian names for the fields a visitor never sees (visitor fields carry their own label).
HIDDEN_LABELS = {
    "marketing_consent": "consenso al marketing",
    "consent_version": "versione del testo del consenso",
    "privacy_version": "versione dell'informativa privacy",
    "landing": "pagina di atterraggio",
    "page_url": "indirizzo della pagina",
    "referrer": "pagina di provenienza",
    NEXT: "pagina di ringraziamento",
    HONEYPOT: "campo di controllo",
    "form-name": "nome del modulo",
    ELAPSED: "tempo di compilazione",
    PROOF: "verifica anti-spam",
}

MESSAGE_INVALID = "Non è stato possibile inviare la richiesta: controlla i campi indicati."
MESSAGE_UNKNOWN = "La richiesta contiene campi non previsti dal modulo."
MESSAGE_UNREADABLE = "Il contenuto della richiesta non è leggibile."
UNKNOWN_KEY = "_unknown"


class RequestError(Exception):
    """A post the receiver refuses: the HTTP status and what to tell the visitor."""

    def __init__(self, status: int, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


@dataclass(frozen=True)
class Submission:
    """A validated post: every contract field (absent ones as ""), plus what routing needs."""

    values: dict[str, str] = field(default_factory=dict)

    @property
    def is_spam(self) -> bool:
        return bool(self.values.get(HONEYPOT))

    @property
    def landing(self) -> str:
        return self.values.get("landing", "")

    @property
    def next_url(self) -> str:
        return self.values.get(NEXT, "")

    def stored(self) -> dict[str, str]:
        """The values the database keeps: everything but the routing fields."""
        return {f.name: self.values.get(f.name, "") for f in FIELDS if f.group != lead_form.ROUTING}


def label(name: str) -> str:
    """The Italian name of a contract field, as an error message shows it."""
    spec = FIELDS_BY_NAME.get(name)
    if spec is not None and spec.label:
        return spec.label
    if name in lead_form.UTM_FIELDS:
        return f"parametro di campagna {name}"
    return HIDDEN_LABELS.get(name, name)


# --- Body decoding ------------------------------------------------------------------------

def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", {"charset": "utf-8"})``."""
    kind, _, rest = content_type.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), params


def decode_body(content_type: str, body: bytes) -> dict[str, object]:
    """The posted fields of a form-encoded, multipart or JSON body.

    Raises ``RequestError`` with 415 for another content type or charset and 400 for a body
    that is not what its type says (bad UTF-8, bad JSON, a field sent twice, a file).
    """
    kind, params = media_type(content_type)
    if kind not in ACCEPTED_TYPES:
        raise RequestError(415, "Formato della richiesta non supportato.")
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise RequestError(415, "Codifica dei caratteri non supportata: usa UTF-8.")
    if kind == JSON:
        return _decode_json(body)
    if kind == MULTIPART:
        pairs = _multipart_pairs(content_type, body)
    else:
        pairs = _form_pairs(body)
    return _refuse_repeated_keys(list(pairs))


def _form_pairs(body: bytes) -> list[tuple[str, str]]:
    try:
        text = body.decode("utf-8")
        # strict_parsing: "a&&b" or a field without "=" is malformed, not silently dropped.
        return parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                         errors="strict", max_num_fields=len(FIELDS) + 10)
    except (UnicodeDecodeError, ValueError):
        raise RequestError(400, MESSAGE_UNREADABLE) from None


def _multipart_pairs(content_type: str, body: bytes) -> list[tuple[str, str]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart() or message.defects:
        raise RequestError(400, MESSAGE_UNREADABLE)
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            raise RequestError(400, "Il modulo non accetta file allegati.")
        payload = part.get_payload(decode=True)  # None for a part that is itself multipart
        try:
            value = payload.decode("utf-8") if isinstance(payload, bytes) else None
        except UnicodeDecodeError:
            value = None
        if value is None:
            raise RequestError(400, MESSAGE_UNREADABLE)
        pairs.append((name, value))
    return pairs


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``{"email": "a", "email": "b"}``: which one the visitor meant is a guess, as for a form
    field sent twice; refuse it rather than keep the last."""
    data: dict[str, object] = {}
    for name, value in pairs:
        if name in data:
            raise RequestError(400, MESSAGE_INVALID, {_error_key(name): "Campo inviato più di una volta."})
        data[name] = value
    return data


def _decode_json(body: bytes) -> dict[str, object]:
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_refuse_repeated_keys)
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: "[[[[…" nesting
        raise RequestError(400, "Il contenuto della richiesta non è un JSON valido.") from None
    if not isinstance(data, dict):
        raise RequestError(400, "Il contenuto della richiesta deve essere un oggetto JSON.")
    return data


# --- Field validation ---------------------------------------------------------------------

def validate(raw: dict[str, object]) -> Submission:
    """Check every posted field against the contract; all errors are reported at once.

    Raises ``RequestError(400)`` whose ``errors`` map each wrong field to an Italian message.
    A filled honeypot is judged like any other post (``leads.spam`` decides afterwards): a bot
    must not learn from the answer that its trap was seen.
    """
    errors: dict[str, str] = {}
    unknown = [name for name in raw if name not in FIELDS_BY_NAME]
    if unknown:
        errors[UNKNOWN_KEY] = MESSAGE_UNKNOWN
    values: dict[str, str] = {}
    for spec in FIELDS:
        value = raw.get(spec.name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[spec.name] = "Valore non valido."
            continue
        if spec.group == lead_form.VISITOR:
            value = value.strip()
        problem = field_problem(spec.name, value)
        if problem:
            errors[spec.name] = problem
        values[spec.name] = value
    if errors:
        message = MESSAGE_UNKNOWN if list(errors) == [UNKNOWN_KEY] else MESSAGE_INVALID
        raise RequestError(400, message, errors)
    return Submission(values)


def field_problem(name: str, value: str) -> str:
    """What is wrong with one value of one contract field, in Italian ("" if nothing)."""
    spec = FIELDS_BY_NAME[name]
    if not value:
        if spec.required:
            return "Inserisci il tuo indirizzo email." if name == "email" else "Campo obbligatorio mancante."
        return ""
    if len(value) > spec.max_length:
        return f"Il testo è troppo lungo: al massimo {spec.max_length} caratteri."
    control = _CONTROL_MULTILINE if name in MULTILINE_FIELDS else _CONTROL
    if control.search(value):
        return "Il testo contiene caratteri non ammessi."
    if not lead_form.is_valid(spec, value):
        return _pattern_problem(name)
    if name in URL_FIELDS and not is_web_url(value):
        return "Indirizzo web non valido."
    return ""


def _pattern_problem(name: str) -> str:
    if name == "email":
        return "L'indirizzo email non sembra valido: scrivilo come nome@esempio.it."
    if name == "phone":
        return "Il numero di telefono può contenere solo cifre, spazi e i simboli + ( ) . / -."
    if name == "marketing_consent":
        return "Valore del consenso non valido."
    return "Valore non valido."


def with_referer_attribution(submission: Submission, referer: str) -> Submission:
    """Fill ``page_url`` and the UTM fields from the Referer when the page could not.

    Without JavaScript a static page cannot copy its own address into the form, but a browser
    posting to the same origin sends the full address (query included) as Referer: a receiver
    deployed under the site's own domain keeps the campaign of plain posts too. Only empty
    fields are filled, only with values the contract accepts; the caller checks the origin.
    """
    values = dict(submission.values)
    if not field_problem("page_url", referer) and _completes(values.get("page_url", ""), referer):
        values["page_url"] = referer
    if not any(values.get(name) for name in lead_form.UTM_FIELDS):
        try:
            query = dict(parse_qsl(urlsplit(referer).query, max_num_fields=50))
        except ValueError:
            query = {}
        for name in lead_form.UTM_FIELDS:
            value = query.get(name, "")
            if value and not field_problem(name, value):
                values[name] = value
    return Submission(values)


def _completes(page_url: str, referer: str) -> bool:
    """Whether the Referer says more than the form's ``page_url``: there is none, or the form
    holds its page's bare address (no JavaScript) and the Referer is that page with its query."""
    if not page_url:
        return True
    page, ref = urlsplit(page_url), urlsplit(referer)
    return (not page.query and bool(ref.query) and (page.scheme, page.netloc, page.path) == (ref.scheme, ref.netloc, ref.path))


def is_web_url(value: str) -> bool:
    """An absolute http(s) address: no ``javascript:`` link ever reaches an export."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    # A backslash is a path separator to browsers but not to urlsplit ("http://evil\\@site/"
    # has a different host for each), and a Location header must be ASCII: refuse both.
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and value.isascii()
            and " " not in value and "\\" not in value)


def _error_key(name: str) -> str:
    """Errors are keyed by contract field names only: an unknown name is never echoed."""
    return name if name in FIELDS_BY_NAME else UNKNOWN_KEY
