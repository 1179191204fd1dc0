"""Customer analytics: RFM, lifetime value (BG/NBD, Gamma-Gamma) and cohort retention."""
