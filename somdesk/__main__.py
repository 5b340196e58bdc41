"""`python -m somdesk` (and the frozen app) does what the `somdesk` command does."""
from somdesk.cli import main

raise SystemExit(main())
