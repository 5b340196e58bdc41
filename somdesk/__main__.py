"""`python -m somdesk` (and the frozen app) does what the `somdesk` command does."""
import sys

from somdesk.cli import main

sys.exit(main())
