"""``python -m leads``: the same as the ``approdo-leads`` command."""

import sys

from .cli import main

sys.exit(main())
