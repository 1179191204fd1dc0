"""Write access/data/common-passwords.txt: the 10,000 most common passwords, from zxcvbn's list.

The list is the head of the ranked "passwords" frequency list that the zxcvbn package (the
Python port of Dropbox's estimator, MIT licence) bundles in ``zxcvbn/frequency_lists.py``; see
src/strongroom/access/data/README.md for where that list comes from. One password a line, lower
case, most common first. Run it again after upgrading zxcvbn, and commit the result.

Usage: .venv/bin/python tools/common_passwords.py [--check]
       (--check: exit 1 if the shipped file differs from what would be written)
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import version
from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

COUNT = 10_000
TARGET = Path(__file__).resolve().parents[1] / "src/strongroom/access/data/common-passwords.txt"


def common_passwords(count: int = COUNT) -> list[str]:
    """The ``count`` highest-ranked distinct passwords of zxcvbn's list, lower case, in order."""
    chosen: dict[str, None] = {}  # a dict keeps the first (best) rank of each folded password
    for password in FREQUENCY_LISTS["passwords"]:
        folded = password.strip().casefold()
        if folded:
            chosen.setdefault(folded)
        if len(chosen) == count:
            return list(chosen)
    raise SystemExit(f"zxcvbn's list has only {len(chosen)} passwords; {count} were asked for")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    arguments = parser.parse_args()
    text = "\n".join(common_passwords()) + "\n"
    source = f"zxcvbn {version('zxcvbn')}"
    if arguments.check:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} differs from the head of {source}'s list: run without --check")
            return 1
        print(f"{TARGET} matches the head of {source}'s list")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {COUNT} passwords from {source} to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
