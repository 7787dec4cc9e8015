"""`python -m sync.server …`: the same as the `waymark-server` console script."""

import sys

from .cli import main

sys.exit(main())
