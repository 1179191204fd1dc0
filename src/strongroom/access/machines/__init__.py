"""Machine principals: service keys, vendor keys and third-party apps (docs/machine-access.md)."""
