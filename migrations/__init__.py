"""Reviewed Piccolo migrations, one folder per app."""

import os

MIGRATIONS_ROOT = os.path.dirname(os.path.abspath(__file__))
