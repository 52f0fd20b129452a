"""`python -m app` is the same as the `kling-mcp` command."""

import sys

from app.cli import main

sys.exit(main())
