"""Build the ASL report: `python build.py --help`."""
from asl.engine.cli import main

raise SystemExit(main())
