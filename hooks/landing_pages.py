"""Landing pages: validate ``docs/landing/<slug>.md``, give them their own lean template, and
generate a thank-you page for each at ``landing/<slug>/grazie/`` in memory (and, for an event,
its calendar file ``landing/<slug>/<slug>.ics``).

The schema lives in ``approdo.landing``, its rules in ``approdo.landing_validation`` and the
form's data in ``approdo.form_view``; this module only connects them to MkDocs events. Markup
is in ``overrides/landing.html`` and ``partials/approdo/landing-*.html``.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

import yaml
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel

from approdo import (clock, consent_ledger, content_check, events, form_manifest, form_view,
                     landing_validation, lead_form, seo)
from approdo import landing as model
from approdo.errors import REPORT
from approdo.frontmatter import parse
from approdo.project import Settings, site_root

log = logging.getLogger("mkdocs.hooks.landing_pages")

TEMPLATE = "landing.html"
# iCalendar text of an event; a theme file, so MkDocs would otherwise publish it as an asset.
ICS_TEMPLATE = "partials/approdo/landing-event.ics"

# Per build; `mkdocs serve` keeps this module between rebuilds, so on_config resets it.
_landings: dict[str, model.Landing] = {}
_thanks: dict[str, model.Landing] = {}
_versions: dict[str, str] = {}


def on_config(config):
    _landings.clear()
    _thanks.clear()
    _versions.clear()
    return config


def _settings(config) -> dict:
    return (config.extra.get("approdo") or {})


# 95: after validate_content (100), which checks links against authored files only, so a
# link to a page generated here stays an error; before content_errors (90) reports.
@event_priority(95)
def on_files(files, config):
    # The same functions `approdo check` runs, over the files MkDocs found.
    settings = Settings.from_mkdocs(config)
    docs_dir = settings.docs_dir
    defaults = content_check.landing_defaults(settings)
    REPORT.extend(content_check.default_action_errors(settings))
    template = files.get_file_from_path(ICS_TEMPLATE)
    if template is not None and not Path(template.abs_src_path).resolve().is_relative_to(docs_dir.resolve()):
        files.remove(template)

    for file in files.documentation_pages():
        if not file.abs_src_path:
            continue
        if misplaced := content_check.misplaced_landing_error(settings, file.src_uri):
            REPORT.extend([misplaced])
            continue
        if not model.is_landing_path(file.src_uri):
            continue
        landing = _read_landing(file, settings, defaults, files)
        if landing is not None:
            _landings[landing.slug] = landing

    # The receiver refuses posts no form of this site sends (see approdo.form_manifest).
    files.append(File.generated(config, form_manifest.FILE_NAME,
                                content=form_manifest.manifest_json(_landings.values()),
                                inclusion=InclusionLevel.NOT_IN_NAV))
    if not _landings:
        return files
    _versions.update(_consent_versions(config, files))
    # What the lead receiver reads from the built site: the valid consent texts (its ledger)
    # and each landing page's title and autoresponder.
    files.append(File.generated(config, consent_ledger.VERSIONS_PATH, content=consent_ledger.versions_document(
        _versions["consent_text"], _versions["privacy_text"],
        consent_ledger.absolute(site_root(config.site_url), _versions["privacy_url"]))))
    files.append(File.generated(config, consent_ledger.LANDINGS_PATH, content=consent_ledger.landings_document(
        _landings.values(), site_root(config.site_url))))
    for landing in _landings.values():
        src_uri = f"{model.LANDING_DIR}/{landing.slug}/{model.THANKS_SEGMENT}.md"
        files.append(File.generated(config, src_uri, content=_thanks_markdown(landing),
                                    inclusion=InclusionLevel.NOT_IN_NAV))
        _thanks[src_uri] = landing
        if landing.event is not None:
            files.append(File.generated(config, model.ics_url(landing.slug),
                                        content=_ics(landing, config),
                                        inclusion=InclusionLevel.NOT_IN_NAV))
    log.info("landing pages: %d, each with a thank-you page", len(_landings))
    return files


def _read_landing(file: File, settings: Settings, defaults: model.LandingDefaults,
                  files) -> model.Landing | None:
    """Validate one landing page into REPORT; the Landing if it has no error."""
    landing, errors = landing_validation.parse_landing(settings.shown(file.src_uri), file.content_string, defaults,
                                          src_path=file.src_uri)
    REPORT.extend(errors)
    if landing is None:
        return None
    if error := content_check.download_error(
            settings, landing, lambda src_uri: files.get_file_from_path(src_uri) is not None):
        REPORT.extend([error])
        return None
    return landing


def _consent_versions(config, files) -> dict[str, str]:
    """Fingerprints of the marketing-consent wording and of the privacy notice's text."""
    consent = _settings(config).get("consent") or {}
    wording = str(consent.get("marketing") or "").strip()
    privacy = files.get_file_from_path(content_check.PRIVACY_PAGE)
    REPORT.extend(content_check.consent_errors(Settings.from_mkdocs(config), content_check.PRIVACY_PAGE,
                                               privacy is not None))
    body = parse(privacy.content_string).body if privacy is not None else ""
    return {
        "privacy_url": privacy.url if privacy is not None else "",
        "consent_text": wording,
        "privacy_text": body,
        "consent_version": lead_form.text_version(wording),
        "privacy_version": lead_form.text_version(body),
    }


def _thanks_markdown(landing: model.Landing) -> str:
    """The generated thank-you page: safe YAML front matter, then the author's Markdown text."""
    meta = {
        "title": landing.thanks.title,
        "description": landing.description,
        "template": TEMPLATE,
        "noindex": True,
        "search": {"exclude": True},
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{landing.thanks.text}\n"


def _ics(landing: model.Landing, config) -> str:
    """The event's calendar file (RFC 5545), rendered from the theme's ICS_TEMPLATE."""
    env = config.theme.get_env()  # a new environment on every call: the filters stay ours
    env.filters.update(ics_text=events.ics_text, ics_param=events.ics_param,
                       ics_local=events.ics_local, ics_utc=events.ics_utc)
    brand = _settings(config).get("brand") or {}
    site_url = site_root(config.site_url)
    rendered = env.get_template(ICS_TEMPLATE).render(
        landing=landing, event=landing.event, config=config,
        uid=events.ics_uid(landing.slug, site_url),
        # When the file was made: the build's clock, so SOURCE_DATE_EPOCH gives the same bytes
        # on every machine (a file's mtime differs between two clones of the same commit).
        stamp=clock.now().replace(microsecond=0),
        url=seo.absolute(site_url, landing.url),
        tzid=events.TIMEZONE,
        organizer=str(brand.get("name") or config.site_name),
        organizer_email=str(brand.get("email") or ""),
    )
    return events.ics_document(rendered)


def on_page_markdown(markdown, page, config, files):
    landing = _landings.get(_slug_of(page))
    if landing is not None:
        page.meta["template"] = TEMPLATE
        # Exposed for the sitemap and <meta name="robots">; a noindex offer stays out of search too.
        page.meta["noindex"] = landing.noindex
        if landing.noindex:
            page.meta.setdefault("search", {})["exclude"] = True
    return markdown


def _slug_of(page) -> str:
    src = page.file.src_uri
    return PurePosixPath(src).stem if model.is_landing_path(src) else ""


def on_page_context(context, page, config, nav):
    landing = _landings.get(_slug_of(page))
    kind = "offer"
    if landing is None:
        landing = _thanks.get(page.file.src_uri)
        kind = "thanks"
    if landing is None:
        return context
    # Without site_url a plain post is sent to the thank-you page by path, and records no page.
    site_url = config.site_url or ""
    next_url = seo.absolute(site_url, landing.thanks_url) if site_url else "/" + landing.thanks_url
    now = clock.now()
    context["landing"] = landing
    context["landing_kind"] = kind
    context["landing_closed"] = landing.is_closed(now)
    if landing.closes:
        context["landing_closes"] = events.italian_date(landing.closes)
    elif landing.closes_at:  # an event without `closes`: sign-ups end when it starts
        context["landing_closes"] = events.closing_text(landing.closes_at)
    else:
        context["landing_closes"] = ""
    context["landing_event"] = (events.view(landing.event, model.ics_url(landing.slug))
                                if landing.event else None)
    context["landing_consent_text"] = _versions["consent_text"]
    page_url = seo.absolute(site_url, landing.url) if site_url else ""
    context["landing_form"] = form_view.form_view(landing, _versions["consent_version"],
                                                  _versions["privacy_version"], next_url, page_url)
    context["landing_privacy_url"] = _versions["privacy_url"]
    return context
