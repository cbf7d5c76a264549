"""Build the ASL report: `python build.py --help`."""
from asl.engine.cli import main

if __name__ == "__main__":    # a Dask LocalCluster's worker processes import this file again
    raise SystemExit(main())
