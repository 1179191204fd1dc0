"""Privacy: consent ledger, data-subject requests, erasure and retention."""
