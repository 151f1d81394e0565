"""Secrets written in clear text in templates."""
