"""Photo hardening: only real JPEG/PNG/WebP images, size and pixel limits, EXIF (incl. GPS) removed
by re-encoding, thumbnails."""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is larger than any phone takes
MAX_PHOTOS = 3
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
FULL_SIZE = 2048
THUMB_SIZE = 400


@dataclass
class CleanPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(img: Image.Image, size: int) -> tuple[ContentFile, int, int]:
    img = img.copy()
    img.thumbnail((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # A fresh JPEG written from pixels carries no EXIF, XMP or GPS.
    img.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue()), img.width, img.height


def clean_photo(upload) -> CleanPhoto:
    """Validate one uploaded file and return re-encoded image and thumbnail, or raise ValidationError."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("Each photo may be at most 10 MB."), code="too_large")
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ValidationError(_("Photos must be JPEG, PNG or WebP."), code="format")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(_("This image has too many pixels."), code="bomb")
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                img = ImageOps.exif_transpose(img)
                if img.mode not in ("RGB", "L"):
                    background = Image.new("RGB", img.size, "white")
                    rgba = img.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    img = background
                elif img.mode == "L":
                    img = img.convert("RGB")
                full, width, height = _encode(img, FULL_SIZE)
                thumb, _w, _h = _encode(img, THUMB_SIZE)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("This image has too many pixels."), code="bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read."), code="not_image"
        ) from None
    return CleanPhoto(image=full, thumbnail=thumb, width=width, height=height)
