"""The receiver's settings: one frozen object built from the command line or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from approdo.form_manifest import FILE_NAME as FORMS_FILE

from .loop_settings import ENV_SITE_DATA, LoopSettings

DEFAULT_DB = Path("data") / "leads.sqlite3"
# Where `mkdocs serve` (and `./dev serve`) publishes the site locally.
DEFAULT_ORIGINS = ("http://127.0.0.1:8000",)
DEFAULT_PORTS = {"http": 80, "https": 443}

# Environment variables for deployments under a WSGI server (``leads.wsgi``), where there is
# no command line; the CLI reads the same ones as defaults.
ENV_DB = "APPRODO_LEADS_DB"
ENV_ORIGINS = "APPRODO_LEADS_ORIGINS"
ENV_MAX_BODY = "APPRODO_LEADS_MAX_BODY"
ENV_RATE = "APPRODO_LEADS_RATE_LIMIT"
ENV_DEDUPE = "APPRODO_LEADS_DEDUPE_WINDOW"
ENV_REQUIRE_ORIGIN = "APPRODO_LEADS_REQUIRE_ORIGIN"
ENV_TRUSTED_PROXY = "APPRODO_LEADS_TRUSTED_PROXY"
ENV_BACKUP_DIR = "APPRODO_LEADS_BACKUP_DIR"
ENV_FORMS = "APPRODO_LEADS_FORMS"
ENV_SPAM_DAYS = "APPRODO_LEADS_SPAM_DAYS"
ENV_REQUIRE_PROOF = "APPRODO_LEADS_REQUIRE_PROOF"
ENV_RETENTION = "APPRODO_LEADS_RETENTION_DAYS"


class SettingsError(ValueError):
    """A setting that cannot work, said in terms of the option or variable to fix."""


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB
    # Sites whose pages may post here (CORS, Origin check) and whose pages _next may name.
    site_origins: tuple[str, ...] = DEFAULT_ORIGINS
    max_body_bytes: int = 16 * 1024
    # At most ``rate_limit`` posts per client in any ``rate_window`` seconds (0 = no limit).
    rate_limit: int = 10
    rate_window: float = 60.0
    # The same email on the same landing page within this many seconds is stored once.
    dedupe_window: float = 600.0
    # Refuse posts that carry neither Origin nor Referer (non-browser clients).
    require_origin: bool = False
    # Notifications, double opt-in, consent ledger, webhook (leads/loop_settings.py).
    loop: LoopSettings = field(default_factory=LoopSettings)
    # The reverse proxy whose X-Forwarded-For names the client (None: the peer is the client).
    trusted_proxy: str | None = None
    # Where `serve` writes its automatic backups (None: no backups), and how long leads and
    # backups are kept.
    backup_dir: Path | None = None
    retention_days: int = 365
    # The site's forms.json (written by the build): posts no landing form sends are refused.
    forms_path: Path | None = None
    # Spam signals (see leads.spam): the proof-of-work challenge, whether a post without a
    # proof (no JavaScript) is quarantined, and how long the quarantine keeps a post.
    proof_of_work: bool = True
    require_proof: bool = False
    spam_days: int = 30

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        base = cls()
        origins = env.get(ENV_ORIGINS, "").replace(",", " ").split()
        rate_limit, rate_window = parse_rate(env.get(ENV_RATE, f"{base.rate_limit}/{base.rate_window:g}"))
        return cls(
            db_path=Path(env.get(ENV_DB) or DEFAULT_DB),
            site_origins=tuple(normalise_origin(o) for o in origins) or DEFAULT_ORIGINS,
            max_body_bytes=_positive_int(env.get(ENV_MAX_BODY, str(base.max_body_bytes)), ENV_MAX_BODY),
            rate_limit=rate_limit,
            rate_window=rate_window,
            dedupe_window=float(env.get(ENV_DEDUPE, base.dedupe_window)),
            require_origin=env.get(ENV_REQUIRE_ORIGIN, "").lower() in ("1", "true", "yes"),
            loop=LoopSettings.from_env(env),
            trusted_proxy=env.get(ENV_TRUSTED_PROXY) or None,
            backup_dir=Path(env[ENV_BACKUP_DIR]) if env.get(ENV_BACKUP_DIR) else None,
            forms_path=forms_file(env.get(ENV_FORMS, ""), env.get(ENV_SITE_DATA, "")),
            require_proof=env.get(ENV_REQUIRE_PROOF, "").lower() in ("1", "true", "yes"),
            spam_days=_positive_int(env.get(ENV_SPAM_DAYS, str(base.spam_days)), ENV_SPAM_DAYS, "days"),
            retention_days=_positive_int(env.get(ENV_RETENTION, str(base.retention_days)), ENV_RETENTION, "days"),
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "site_origins", with_loopback_aliases(self.site_origins))

    @property
    def primary_origin(self) -> str:
        return self.site_origins[0]


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def with_loopback_aliases(origins: tuple[str, ...]) -> tuple[str, ...]:
    """A local preview is one site whichever loopback name the browser uses: allowing
    http://127.0.0.1:8000 allows http://localhost:8000 and http://[::1]:8000 too."""
    result = list(dict.fromkeys(origins))
    for origin in origins:
        parts = urlsplit(origin)
        host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
        if host in LOOPBACK_NAMES:
            port = f":{parts.port}" if parts.port else ""
            for alias in LOOPBACK_NAMES:
                candidate = f"{parts.scheme}://{alias}{port}"
                if candidate not in result:
                    result.append(candidate)
    return tuple(result)


def normalise_origin(value: str) -> str:
    """``HTTPS://Example.com:443/`` -> ``https://example.com``; refuse anything with a path."""
    origin = origin_of(value.rstrip("/"))
    parts = urlsplit(value.rstrip("/"))
    if origin is None or parts.path or parts.query or parts.fragment or parts.username:
        raise SettingsError(f"not a site origin: {value!r} (expected scheme://host[:port], "
                            "e.g. https://www.example.it)")
    return origin


def origin_of(url: str) -> str | None:
    """The origin (scheme://host[:port], default port dropped) of an absolute http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def parse_rate(text: str) -> tuple[int, float]:
    """``"10/60"`` -> (10 posts, 60 seconds); ``"0"`` turns the limit off."""
    count, _, window = text.partition("/")
    try:
        limit, seconds = int(count), float(window or 60)
    except ValueError:
        raise SettingsError(f"bad rate limit {text!r} (expected POSTS/SECONDS, e.g. 10/60, or 0)") from None
    if limit < 0 or seconds <= 0:
        raise SettingsError(f"bad rate limit {text!r} (expected POSTS/SECONDS, e.g. 10/60, or 0)")
    return limit, seconds


def _positive_int(text: str, name: str, unit: str = "bytes") -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"{name}: expected a positive number of {unit}, got {text!r}")
    return value


def forms_file(forms: str, site_data: str) -> Path | None:
    """The forms to check posts against: ``forms`` if given, else the built site's
    leads/forms.json when ``site_data`` is that site's folder (a URL is not read for this)."""
    if forms:
        return Path(forms)
    if site_data and "://" not in site_data:
        candidate = Path(site_data) / FORMS_FILE
        if candidate.is_file():
            return candidate
    return None
