"""Sub-commands kept apart from :mod:`desktop.cli`, one module per area, each adding its own."""
