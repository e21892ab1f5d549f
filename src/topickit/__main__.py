"""``python -m topickit``."""

import sys

from topickit.cli import main

sys.exit(main())
