"""Créneau's core: data model, use cases and web face.

Piccolo binds tables to the engine of ``PICCOLO_CONF`` when they are imported, so the
configuration module is named here, before anything can import ``booking.tables``.
"""

import os

os.environ.setdefault("PICCOLO_CONF", "booking.piccolo_conf")
