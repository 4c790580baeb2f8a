"""The lead receiver as a WSGI application: ``POST /leads``, ``OPTIONS /leads``, ``GET /health``,
``GET /leads/challenge`` (the proof-of-work challenge, see ``leads.spam``),
and the cookie-free counters: ``POST /metrics`` (beacons) and ``GET /go`` (short links followed
without JavaScript), see ``leads/metrics.py``.

Order of checks on a post, cheapest and least revealing first: Origin (403), rate limit (429),
body size (411/413), content type (415), body format and fields, against the contract and the
site's published forms (400), spam signals (kept in quarantine, answered as accepted), repeat
(merged into the first lead, answered as accepted), store (committed before the answer
leaves; 503 with Retry-After when it cannot be). Nothing a visitor typed is logged or echoed
back, nor any client address.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import Callable, Iterable
from urllib.parse import parse_qs, parse_qsl, urlsplit

from approdo import lead_form
from approdo import metrics as metrics_contract

from . import metrics
from .config import Settings, origin_of
from .loop import PATHS as LINK_PATHS
from .loop import LeadLoop
from . import spam
from .forms import FormCatalog
from .pages import error_page
from .ratelimit import RateLimiter
from .storage import Store, StorageError, utcnow
from .validation import (
    JSON,
    UNKNOWN_KEY,
    RequestError,
    Submission,
    decode_body,
    is_web_url,
    label,
    media_type,
    validate,
    with_referer_attribution,
)

log = logging.getLogger("leads")

# Sent with every response: nothing is cached, nothing is sniffed, no page frames us.
COMMON_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Vary", "Origin"),
]
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# A body larger than this is not even read to the end before answering 413.
DRAIN_LIMIT = 1024 * 1024
PREFLIGHT_MAX_AGE = "600"
# Where the page script gets its proof-of-work challenge.
CHALLENGE_PATH = "/leads/challenge"
# Seconds a client (or the monitoring) should wait after a 503 before trying again.
RETRY_AFTER = "5"

MESSAGE_ORIGIN = "Questo sito non è autorizzato a inviare richieste a questo modulo."
MESSAGE_RATE = "Hai inviato troppe richieste in poco tempo. Riprova tra qualche minuto."
MESSAGE_TOO_LARGE = "La richiesta è troppo grande: accorcia il messaggio e riprova."
MESSAGE_LENGTH = "La richiesta non indica la propria lunghezza."
MESSAGE_UNAVAILABLE = "Non è stato possibile registrare la richiesta. Riprova tra qualche istante."
MESSAGE_SERVER = "Si è verificato un errore imprevisto. Riprova più tardi."
MESSAGE_VERSION = ("Il modulo di questa pagina non è aggiornato: ricarica la pagina e invia di nuovo "
                   "la richiesta.")
MESSAGE_LEDGER = "Non è stato possibile verificare il modulo in questo momento. Riprova tra qualche istante."


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    # What the request log says happened (never personal data).
    outcome: str = ""


class LeadApp:
    """The WSGI callable. ``store`` and ``clock`` are injectable for tests and benchmarks."""

    def __init__(self, settings: Settings, store: Store | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.settings = settings
        self.store = store or Store(settings.db_path)
        problems = self.store.integrity_problems()
        if problems:
            raise StorageError(f"{self.store.path}: the database is damaged ({problems[0]}); "
                               "run `approdo-leads doctor` to save what can be read")
        self.clock = clock
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_window)
        # The site's landing forms (forms.json from the build); None: any contract field passes.
        self.forms = FormCatalog(settings.forms_path) if settings.forms_path else None
        self.proof_of_work = spam.ProofOfWork() if settings.proof_of_work else None
        self.origins = frozenset(settings.site_origins)
        self.counters = metrics.Counters(self.store, clock)
        # Notifications, double opt-in and webhook (leads/loop.py); None when turned off.
        self.loop = LeadLoop(settings, self.store, clock) if settings.loop.enabled else None
        if self.loop is not None:
            self.loop.start()

    def close(self) -> None:
        """Stop the outbox worker (queued messages wait in the database) and the database."""
        if self.loop is not None:
            self.loop.stop()
        self.store.close()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = (environ.get("PATH_INFO", "") or "/").rstrip("/") or "/"
        # Known paths only in logs: an unknown path or a query string could carry anything.
        shown = path if path in ("/leads", "/health", "/metrics", "/go", CHALLENGE_PATH, *LINK_PATHS) else "(other path)"
        try:
            response = self.route(method, path, environ)
        except Exception:  # a bug must not leak a traceback to the visitor
            log.exception("%s %s failed", method[:10], shown)
            response = self.error(environ, 500, MESSAGE_SERVER)
            response.outcome = "error"
        headers = [*COMMON_HEADERS, *self.cors_headers(environ), *response.headers,
                   ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {HTTPStatus(response.status).phrase}", headers)
        log.info("%s %s %d %s %.1fms", method[:10], shown, response.status, response.outcome or "-",
                 (time.perf_counter() - started) * 1000)
        return [b"" if method == "HEAD" else response.body]

    def route(self, method: str, path: str, environ: dict) -> Response:
        if path == "/health":
            if method not in ("GET", "HEAD"):
                return self.method_not_allowed(environ, "GET, HEAD")
            return self.health()
        if path == CHALLENGE_PATH:
            if method not in ("GET", "HEAD"):
                return self.method_not_allowed(environ, "GET, HEAD")
            if self.proof_of_work is None:
                return json_response(404, {"ok": False, "message": "Indirizzo non trovato."})
            return json_response(200, self.proof_of_work.challenge())
        if path == "/leads":
            if method == "POST":
                return self.post(environ)
            if method == "OPTIONS":
                return self.preflight(environ)
            return self.method_not_allowed(environ, "POST, OPTIONS")
        if path in LINK_PATHS and self.loop is not None:
            if method not in ("GET", "POST"):
                return self.method_not_allowed(environ, "GET, POST")
            return self.email_link(self.loop, path, environ)
        if path == "/" + metrics_contract.BEACON_PATH:
            if method == "POST":
                return self.beacon(environ)
            if method == "OPTIONS":
                return self.preflight(environ)
            return self.method_not_allowed(environ, "POST, OPTIONS")
        if path == "/" + metrics_contract.REDIRECT_PATH:
            if method not in ("GET", "HEAD"):
                return self.method_not_allowed(environ, "GET, HEAD")
            return self.counted_redirect(environ, count=method == "GET")
        return json_response(404, {"ok": False, "message": "Indirizzo non trovato."})

    # --- endpoints ------------------------------------------------------------------------

    def health(self) -> Response:
        """Healthy means a lead posted now would be stored: the database file is still the one
        opened at start and takes a durable write."""
        try:
            self.store.check_file()
            self.store.probe_write(self.clock())
            version = self.store.version()
        except (sqlite3.Error, StorageError) as problem:
            log.error("health check: leads cannot be stored: %s", problem)
            response = json_response(503, {"ok": False})
            response.headers.append(("Retry-After", RETRY_AFTER))
            return response
        return json_response(200, {"ok": True, "schema": version})

    def preflight(self, environ: dict) -> Response:
        if self.request_origin(environ) is None:
            return Response(403, outcome="preflight-refused")
        return Response(204, headers=[
            ("Access-Control-Allow-Methods", "POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type, Accept"),
            ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE),
        ])

    def post(self, environ: dict) -> Response:
        if not self.origin_allowed(environ):
            drain(environ)
            return self.error(environ, 403, MESSAGE_ORIGIN, outcome="forbidden-origin")
        retry_after = self.limiter.hit(environ.get("REMOTE_ADDR", ""))
        if retry_after:
            drain(environ)
            response = self.error(environ, 429, MESSAGE_RATE, outcome="rate-limited")
            response.headers.append(("Retry-After", str(int(retry_after) + 1)))
            return response
        fields: dict[str, object] = {}
        try:
            body = self.read_body(environ)
            fields = decode_body(environ.get("CONTENT_TYPE", ""), body)
            submission = validate(fields)
            if self.forms is not None:
                self.forms.check(fields)
        except RequestError as problem:
            return self.error(environ, problem.status, problem.message, problem.errors, fields,
                              outcome=f"invalid:{','.join(sorted(problem.errors)) or problem.status}")
        referer = environ.get("HTTP_REFERER", "")
        if is_web_url(referer) and origin_of(referer) in self.origins:
            submission = with_referer_attribution(submission, referer)
        now = self.clock()
        reason = spam.suspicion(submission.values, self.proof_of_work, self.settings.require_proof)
        plan = None
        if not reason and self.loop is not None:
            known = self.loop.versions_known(submission.values, now)
            if known is None:
                response = self.error(environ, 503, MESSAGE_LEDGER, outcome="ledger-unavailable")
                response.headers.append(("Retry-After", "5"))
                return response
            if not known:
                return self.error(environ, 400, MESSAGE_VERSION, {"consent_version": "Versione sconosciuta."},
                                  fields, outcome="invalid:unknown-version")
            plan = self.loop.prepare(submission.stored(), now)
        try:
            if reason:  # kept for review, never dropped: a false positive is a customer
                spam.quarantine(self.store, submission.stored(), reason, now, self.settings.spam_days)
                outcome = f"quarantined:{reason}"
            else:
                outcome = self.store.add_lead(submission.stored(), now, self.settings.dedupe_window,
                                              then=plan.then if plan else None)
        except (sqlite3.Error, StorageError) as problem:
            log.error("could not store a lead: %s", problem)
            response = self.error(environ, 503, MESSAGE_UNAVAILABLE, outcome="storage-error")
            response.headers.append(("Retry-After", RETRY_AFTER))
            return response
        if plan is not None and self.loop is not None:
            self.loop.wake()
        # Suspects and duplicates get exactly the answer a new lead gets: nothing to probe.
        return self.accepted(environ, submission, f"{outcome} landing={submission.landing}")

    def email_link(self, loop: LeadLoop, path: str, environ: dict) -> Response:
        """A confirmation or withdrawal link opened (GET), or a one-click unsubscribe (POST,
        RFC 8058: the token is in the link's query, the body only says "One-Click")."""
        drain(environ)
        signed = parse_qs(environ.get("QUERY_STRING", "")).get("t", [""])[0]
        status, body, outcome = loop.open_link(path, signed, self.clock())
        return Response(status, body, [("Content-Type", "text/html; charset=utf-8"),
                                       ("Content-Security-Policy", HTML_CSP)], outcome)

    def beacon(self, environ: dict) -> Response:
        """A view or a click: counted in memory, answered at once (no database on this path)."""
        origin = environ.get("HTTP_ORIGIN") or environ.get("HTTP_REFERER")
        if not origin or origin_of(origin) not in self.origins:
            drain(environ)
            return Response(403, outcome="forbidden-origin")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= metrics_contract.MAX_BODY_BYTES:
            drain(environ)
            self.counters.left_out(metrics.REFUSED)
            return Response(413 if length > 0 else 400, outcome="beacon-refused")
        try:
            hit = metrics.parse_beacon(environ["wsgi.input"].read(length))
        except metrics.BeaconError as problem:
            self.counters.left_out(metrics.REFUSED)
            return Response(400, outcome=f"beacon-refused:{problem.field}")
        if metrics.not_a_visit(environ):
            self.counters.left_out(metrics.BOT)
            return Response(204, outcome="beacon-bot")
        self.counters.add(hit)
        return Response(204, outcome=f"beacon:{hit.kind}")

    def counted_redirect(self, environ: dict, count: bool) -> Response:
        """``/go?page=<slug>&to=<landing URL>``: a short link followed without JavaScript is
        counted, then sent on; only to an allowed site, so it is no open redirect."""
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        target = query.get(metrics_contract.TARGET_FIELD, "")
        if not (is_web_url(target) and target.isprintable() and origin_of(target) in self.origins):
            return self.error(environ, 400, "Questo collegamento non porta a una pagina del sito.",
                              outcome="redirect-refused")
        if count and metrics.not_a_visit(environ):
            self.counters.left_out(metrics.BOT)
        elif count:
            try:
                self.counters.add(metrics.hit_from_target(
                    metrics_contract.GO, query.get(metrics_contract.PAGE_FIELD, ""), target))
            except metrics.BeaconError:
                self.counters.left_out(metrics.REFUSED)  # the visitor still gets there
        return Response(303, headers=[("Location", target)], outcome="redirect")

    # --- checks ---------------------------------------------------------------------------

    def request_origin(self, environ: dict) -> str | None:
        """The request's Origin header if it names an allowed site, else None."""
        origin = environ.get("HTTP_ORIGIN")
        if origin and origin_of(origin) in self.origins:
            return origin
        return None

    def origin_allowed(self, environ: dict) -> bool:
        """Browsers send Origin with every POST; old ones and some privacy settings send only a
        Referer; a post with neither is not from a browser page and passes unless
        ``require_origin`` says otherwise (a forged header is trivial for such clients anyway).
        """
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None:
            return origin_of(origin) in self.origins  # "null" (sandboxes, file://) is refused
        referer = environ.get("HTTP_REFERER")
        if referer:
            return origin_of(referer) in self.origins
        return not self.settings.require_origin

    def read_body(self, environ: dict) -> bytes:
        limit = self.settings.max_body_bytes
        length_header = environ.get("CONTENT_LENGTH", "")
        stream = environ["wsgi.input"]
        if not length_header:
            # A server that decodes chunked bodies says so (waitress, gunicorn).
            if environ.get("wsgi.input_terminated"):
                body = stream.read(limit + 1)
                if len(body) > limit:
                    raise RequestError(413, MESSAGE_TOO_LARGE)
                return body
            raise RequestError(411, MESSAGE_LENGTH)
        try:
            length = int(length_header)
        except ValueError:
            raise RequestError(400, MESSAGE_LENGTH) from None
        if length > limit:
            drain(environ)
            raise RequestError(413, MESSAGE_TOO_LARGE)
        body = stream.read(length) if length > 0 else b""
        if len(body) != length:
            raise RequestError(400, "La richiesta è arrivata incompleta.")
        return body

    def cors_headers(self, environ: dict) -> list[tuple[str, str]]:
        origin = self.request_origin(environ)
        return [("Access-Control-Allow-Origin", origin)] if origin else []

    # --- answers --------------------------------------------------------------------------

    def accepted(self, environ: dict, submission: Submission, outcome: str) -> Response:
        thanks = self.thanks_url(environ, submission)
        if wants_json(environ):
            return json_response(201, {"ok": True, "next": thanks}, outcome)
        return Response(303, headers=[("Location", thanks)], outcome=outcome)

    def thanks_url(self, environ: dict, submission: Submission) -> str:
        """``_next`` if it points to an allowed site, else that landing's thank-you page."""
        target = submission.next_url
        if target and is_web_url(target) and origin_of(target) in self.origins:
            return target
        slug = submission.landing
        if slug and lead_form.is_valid(lead_form.FIELDS_BY_NAME["landing"], slug):
            return f"{self.site_origin(environ)}/landing/{slug}/grazie/"
        return f"{self.site_origin(environ)}/"

    def site_origin(self, environ: dict) -> str:
        """The allowed site this request came from, or the first one configured."""
        origin = self.request_origin(environ)
        return (origin_of(origin) if origin else None) or self.settings.primary_origin

    def back_url(self, environ: dict, fields: dict[str, object]) -> str:
        """Where an error page links back to: the form's page when it is on an allowed site."""
        for candidate in (fields.get("page_url"), environ.get("HTTP_REFERER")):
            # A cross-origin Referer is only the site's origin: the landing slug says more.
            if (isinstance(candidate, str) and is_web_url(candidate) and origin_of(candidate) in self.origins
                    and urlsplit(candidate).path not in ("", "/")):
                return candidate
        slug = fields.get("landing")
        if isinstance(slug, str) and slug and lead_form.is_valid(lead_form.FIELDS_BY_NAME["landing"], slug):
            return f"{self.site_origin(environ)}/landing/{slug}/"
        return f"{self.site_origin(environ)}/"

    def error(self, environ: dict, status: int, message: str, errors: dict[str, str] | None = None,
              fields: dict[str, object] | None = None, outcome: str = "") -> Response:
        errors = errors or {}
        if wants_json(environ):
            return json_response(status, {"ok": False, "message": message, "errors": errors}, outcome)
        problems = [("Modulo" if name == UNKNOWN_KEY else label(name), text) for name, text in errors.items()]
        body = error_page("Richiesta non inviata", message, problems, self.back_url(environ, fields or {}))
        return Response(status, body, [("Content-Type", "text/html; charset=utf-8"),
                                       ("Content-Security-Policy", HTML_CSP)], outcome)

    def method_not_allowed(self, environ: dict, allow: str) -> Response:
        response = json_response(405, {"ok": False, "message": "Metodo non consentito."})
        response.headers.append(("Allow", allow))
        return response


def wants_json(environ: dict) -> bool:
    """JSON in, or a script asking for JSON (fetch with ``Accept: application/json``)."""
    if media_type(environ.get("CONTENT_TYPE", ""))[0] == JSON:
        return True
    accept = environ.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def json_response(status: int, data: dict, outcome: str = "") -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json; charset=utf-8")], outcome)


def drain(environ: dict) -> None:
    """Read and drop a body we refuse, so the client reads our answer instead of a reset."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if 0 < length <= DRAIN_LIMIT:
        stream = environ["wsgi.input"]
        while length > 0:
            chunk = stream.read(min(length, 65536))
            if not chunk:
                break
            length -= len(chunk)


def create_app(settings: Settings) -> LeadApp:
    return LeadApp(settings)
