"""`python -m somdesk` does what the `somdesk` command does."""
from somdesk.cli import main

raise SystemExit(main())
