"""QR codes as inline SVG (no scripts, no style attributes), for links people scan."""

import segno


def svg(url: str, title: str) -> str:
    """Return the link as an inline SVG QR code with an accessible title."""
    return segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, title=title, svgclass="qr", lineclass="qr-line"
    )
