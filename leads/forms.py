"""The landing pages' forms as the site's build published them (``forms.json``, see
``approdo.form_manifest``): a post for a landing page the site does not have, missing a field
its form requires, or carrying a field its form does not have, is refused with nothing stored.

The file is read again when it changes (the site was rebuilt); a file that cannot be read then
keeps the last good version in use and says so in the log.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from approdo import lead_form

from .config import SettingsError
from .validation import MESSAGE_INVALID, MESSAGE_UNKNOWN, UNKNOWN_KEY, RequestError

log = logging.getLogger("leads")

FORMAT = 1
UNKNOWN_LANDING = "Questa pagina non ha un modulo di contatto attivo."
MISSING = "Campo obbligatorio mancante."
NOT_ALLOWED = "Valore non valido."


@dataclass(frozen=True)
class Form:
    required: frozenset[str]
    optional: frozenset[str]
    allowed: dict[str, frozenset[str]]


def parse(text: str, source: str) -> dict[str, Form]:
    """The forms of a ``forms.json`` text; ``SettingsError`` naming ``source`` if it is not one."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        forms = {}
        for slug, spec in data["landings"].items():
            names = set(spec["required"]) | set(spec["optional"])
            unknown = names - set(lead_form.FIELDS_BY_NAME)
            if unknown:
                raise ValueError(f"landing {slug!r} has fields the receiver does not know: {sorted(unknown)}")
            forms[slug] = Form(frozenset(spec["required"]), frozenset(spec["optional"]),
                               {name: frozenset(values) for name, values in spec.get("allowed", {}).items()})
        return forms
    except (ValueError, KeyError, TypeError, AttributeError) as problem:
        raise SettingsError(f"{source}: not a forms.json written by the site's build ({problem}); "
                            "rebuild the site and point --forms at site/leads/forms.json") from None


class FormCatalog:
    """The published forms, re-read when the file changes."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._stamp = self._file_stamp()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as problem:
            raise SettingsError(f"{path}: cannot read the forms of the site ({problem.strerror or problem})") from None
        self._forms = parse(text, str(path))

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size, info.st_ino

    def forms(self) -> dict[str, Form]:
        stamp = self._file_stamp()
        if stamp is not None and stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._stamp = stamp
                    try:
                        self._forms = parse(self.path.read_text(encoding="utf-8"), str(self.path))
                        log.info("forms of the site reloaded: %d landing page(s)", len(self._forms))
                    except (OSError, SettingsError) as problem:
                        log.error("%s; the previous version stays in use", problem)
        return self._forms

    def check(self, fields: dict[str, object]) -> None:
        """Raise ``RequestError(400)`` unless a form of the site sends exactly such a post."""
        slug = fields.get("landing")
        form = self.forms().get(slug) if isinstance(slug, str) else None
        if form is None:
            raise RequestError(400, UNKNOWN_LANDING, {"landing": UNKNOWN_LANDING})
        errors: dict[str, str] = {}
        if any(name not in form.required and name not in form.optional for name in fields):
            errors[UNKNOWN_KEY] = MESSAGE_UNKNOWN
        for name in sorted(form.required):
            if not str(fields.get(name) or "").strip():
                errors[name] = MISSING
        for name, values in form.allowed.items():
            value = fields.get(name)
            if value is not None and value not in values:
                errors[name] = NOT_ALLOWED
        if errors:
            message = MESSAGE_UNKNOWN if list(errors) == [UNKNOWN_KEY] else MESSAGE_INVALID
            raise RequestError(400, message, errors)
