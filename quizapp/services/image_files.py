"""Check an uploaded picture and re-encode it with Pillow: PNG, JPEG or WebP only, no metadata."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from quizapp.errors import ServiceError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 16_000_000  # 16 megapixels
MAX_SIDE = 2400  # larger pictures are scaled down to this many pixels on their long side
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded picture: its bytes, type and size."""

    data: bytes
    mime: str
    width: int
    height: int


def clean_image(data: bytes, field: str = "image") -> CleanImage:
    """Return the picture re-encoded without metadata, or raise ServiceError naming why not."""
    if not data:
        raise ServiceError("image_empty", field=field)
    if len(data) > MAX_BYTES:
        raise ServiceError("image_too_large", field=field, megabytes=MAX_BYTES // 1024 // 1024)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as opened:
                fmt = opened.format
                if opened.width * opened.height > MAX_PIXELS:
                    raise ServiceError(
                        "image_too_many_pixels", field=field, megapixels=MAX_PIXELS // 1_000_000
                    )
                opened.load()
                picture = ImageOps.exif_transpose(opened)
    except ServiceError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError("image_format", field=field) from None
    except (OSError, ValueError, SyntaxError):
        raise ServiceError("image_broken", field=field) from None
    if fmt not in FORMATS:
        raise ServiceError("image_format", field=field)
    return _encode(picture, fmt)


def _encode(picture: Image.Image, fmt: str) -> CleanImage:
    """Copy only the pixels into a fresh image (no EXIF, ICC or text chunks) and save it."""
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    mode = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
    pixels = picture.convert(mode)
    if max(pixels.size) > MAX_SIDE:
        pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if fmt == "PNG":
        fresh.save(out, "PNG", optimize=True)
    else:
        fresh.save(out, fmt, quality=85)
    return CleanImage(out.getvalue(), FORMATS[fmt], fresh.width, fresh.height)
