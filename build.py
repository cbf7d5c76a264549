"""Build the ASL report: `python build.py --help`."""
from asl.cli import main

raise SystemExit(main())
