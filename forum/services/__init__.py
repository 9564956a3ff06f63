"""Domain services: the rules of Rådslag. Each function commits at most once."""
