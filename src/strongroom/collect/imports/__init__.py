"""File import: rows of CSV, JSON Lines or Parquet files through the ingest path."""
