"""QR codes drawn on the server as inline SVG (no image service, no CDN).

``segno`` (pure Python) draws them when it is installed; without it the pages show the link
as text only.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger("creneau.qr")


def qr_svg(content: str) -> str | None:
    """An inline ``<svg>`` of ``content``, or None when no QR library is available."""
    try:
        segno = importlib.import_module("segno")
    except ImportError:
        return None
    try:
        svg: str = segno.make(content, error="m").svg_inline(
            scale=4, border=2, dark="#000", light="#fff", omitsize=True
        )
    except Exception:  # a drawing failure must not break the page: the link stays
        log.warning("QR code could not be drawn")
        return None
    return svg
