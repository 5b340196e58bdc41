"""Tables in and out: read through DuckDB (text, Parquet, JSON) and calamine (spreadsheets)."""
