"""Strongroom: a self-hostable, secure-by-default customer data platform."""

__version__ = "0.1.0"
