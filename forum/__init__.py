"""Wethi's platform core and composition root."""
