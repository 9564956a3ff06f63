"""One blueprint package per feature."""
