"""Rådslag: a moderated meeting ground for city leaders."""
from forum.app import create_app

__all__ = ["create_app"]
