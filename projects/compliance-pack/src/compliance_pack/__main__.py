"""``python -m compliance_pack``: the CLI."""

from compliance_pack.cli import main

raise SystemExit(main())
