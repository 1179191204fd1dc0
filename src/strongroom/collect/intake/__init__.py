"""Safe file intake: one pipeline for every file, quarantine, and customers' documents."""
