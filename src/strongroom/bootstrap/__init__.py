"""The composition root: the one place that wires capabilities to adapters."""

from strongroom.bootstrap.app import App, build
from strongroom.bootstrap.backups import (
    create_backup_file,
    restore_backup_file,
    verify_backup_file,
)
from strongroom.bootstrap.home import InitReport, initialise, provider_for, rotate_root_key

__all__ = [
    "App",
    "InitReport",
    "build",
    "create_backup_file",
    "initialise",
    "provider_for",
    "restore_backup_file",
    "rotate_root_key",
    "verify_backup_file",
]
