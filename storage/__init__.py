"""Storage: the schema, the engine and the only code that reads or writes the database."""
