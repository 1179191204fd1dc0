"""The YARA scanner (yara-python) with the rules shipped in ``adapters/rules/*.yar``.

Fails closed: rules that do not compile, or compile to nothing, make every scan refuse with
ScannerUnavailableError; so does a scan that errs or times out.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

import yara  # type: ignore[import-not-found]  # yara-python ships no type hints

from strongroom.core.errors import ScannerUnavailableError
from strongroom.core.intake import ScanVerdict

SCAN_TIMEOUT_SECONDS = 120


def shipped_rule_files() -> dict[str, str]:
    """The shipped rule files by namespace (file stem)."""
    folder = resources.files("strongroom.adapters").joinpath("rules")
    return {
        Path(entry.name).stem: str(entry)
        for entry in folder.iterdir()
        if entry.name.endswith(".yar")
    }


class YaraScanner:
    """Implements ``core.intake.MalwareScanner`` over compiled YARA rules."""

    name = "yara"

    def __init__(self, rule_files: dict[str, str] | None = None) -> None:
        self._rule_files = rule_files
        self._lock = threading.Lock()
        self._rules: yara.Rules | None = None
        self.rule_count = 0

    def check_ready(self) -> None:
        self._compiled()

    def scan(self, path: Path) -> ScanVerdict:
        rules = self._compiled()
        try:
            matches = rules.match(filepath=str(path), timeout=SCAN_TIMEOUT_SECONDS)
        except yara.TimeoutError:
            raise ScannerUnavailableError(
                f"the YARA scan did not finish within {SCAN_TIMEOUT_SECONDS} s; "
                "nothing was accepted"
            ) from None
        except yara.Error as error:
            raise ScannerUnavailableError(
                f"the YARA scan failed ({error}); nothing was accepted"
            ) from None
        if not matches:
            return ScanVerdict(self.name)
        return ScanVerdict(self.name, f"{matches[0].namespace}.{matches[0].rule}")

    def _compiled(self) -> yara.Rules:
        with self._lock:
            if self._rules is None:
                self._rules, self.rule_count = _compile(self._rule_files)
            return self._rules


def _compile(rule_files: dict[str, str] | None) -> tuple[yara.Rules, int]:
    files = shipped_rule_files() if rule_files is None else rule_files
    if not files:
        raise ScannerUnavailableError("no YARA rule files were found; nothing can be accepted")
    try:
        rules = yara.compile(filepaths=files)
    except yara.Error as error:
        raise ScannerUnavailableError(
            f"the YARA rules do not compile ({error}); nothing can be accepted until they do"
        ) from None
    count = sum(1 for _ in rules)
    if count == 0:
        raise ScannerUnavailableError("the YARA rule files hold no rules; nothing can be accepted")
    return rules, count
