"""`make bench`: runs every bench/bench_*.py in its own process and passes its output through.

Each benchmark prints lines `BENCH <name> <value> <unit>`. A summary of all of them is printed
at the end; the exit code is non-zero if any benchmark failed to run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    figures, failed = [], []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        proc = subprocess.Popen([sys.executable, str(script)], cwd=HERE.parent,
                                stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("BENCH "):
                figures.append(line.rstrip())
        if proc.wait() != 0:
            failed.append(script.name)
    print("== summary")
    for line in figures:
        print(line)
    for name in failed:
        print(f"FAILED {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
