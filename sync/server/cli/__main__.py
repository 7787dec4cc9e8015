"""`python -m sync.server.cli …`: the same as the `waymark-server` console script."""

import sys

from .main import main

sys.exit(main())
