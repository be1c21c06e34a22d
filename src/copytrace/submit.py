"""What ``spark-submit`` runs: the copytrace command line (spark-submit takes a file, not a
module). ``python -m copytrace.submit`` prints this file's path, for::

    spark-submit --master yarn ... "$(python -m copytrace.submit)" scan INPUT... --out DIR --engine spark
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    if len(sys.argv) == 1:  # python -m copytrace.submit: where this file is
        print(__file__)
    else:
        from copytrace.cli import app

        app(prog_name="copytrace")
