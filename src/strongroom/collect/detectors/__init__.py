"""PII detectors: small classes in a registry, each finding one type of personal data in text."""
