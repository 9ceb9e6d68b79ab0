"""QR codes drawn on the server as inline SVG (segno, pure Python: no image service, no CDN)."""

from __future__ import annotations

import segno


def qr_svg(content: str) -> str:
    """An inline ``<svg>`` encoding ``content`` (a subscription link, for a phone's camera)."""
    svg: str = segno.make(content, error="m").svg_inline(
        scale=4, border=2, dark="#000", light="#fff", omitsize=True
    )
    return svg
