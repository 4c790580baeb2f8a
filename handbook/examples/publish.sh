./dev test                                   # once: creates .venv, installs everything, runs the tests
APPRODO_SITE_URL=https://www.example.it/ \
APPRODO_LEAD_ACTION=https://leads.example.it/leads \
  NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict
