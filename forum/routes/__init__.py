"""HTML routes of the platform core, one module per topic."""
