"""Create the project's virtualenv, also on Debian/Ubuntu where python3 lacks ensurepip.

Debian ships ``ensurepip`` in the separate python3-venv package, so ``python3 -m venv`` fails on a
machine that has only python3. Then we create the environment without pip and install pip from its
wheel on PyPI, checking the wheel's SHA-256 against PyPI's published digest first.

Usage: python3 tools/make_venv.py .venv
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

PYPI_PIP = "https://pypi.org/pypi/pip/json"


def main(target: Path) -> None:
    try:
        venv.create(target, with_pip=True, clear=True)
    except subprocess.CalledProcessError:
        print("ensurepip is not available; installing pip from PyPI instead", file=sys.stderr)
        venv.create(target, with_pip=False, clear=True)
        _install_pip(target / "bin" / "python")


def _install_pip(python: Path) -> None:
    with urllib.request.urlopen(PYPI_PIP, timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["filename"].endswith("-py3-none-any.whl"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / wheel["filename"]
        url = urllib.parse.urljoin(PYPI_PIP, wheel["url"])  # mirrors may answer relative URLs
        if not url.startswith("https://"):
            raise SystemExit(f"refusing to fetch pip from a non-HTTPS URL: {url}")
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - checked above
            path.write_bytes(response.read())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != wheel["digests"]["sha256"]:
            raise SystemExit(f"pip wheel digest mismatch: {digest}")
        subprocess.run(  # noqa: S603 - our own interpreter and a verified wheel
            [str(python), f"{path}/pip", "install", "--no-index", "--quiet", str(path)], check=True
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
