"""Input and output: DataFrames of structures validated by a model's input declarations,
files (CSV, Parquet, Excel), chunked batches and JSON Schemas."""
