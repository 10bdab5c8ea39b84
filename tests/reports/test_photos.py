"""Photo hardening: only real JPEG/PNG/WebP, size and pixel limits, EXIF and GPS removed."""

import contextlib
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import image_bytes
from thesaban.reports import photos, services
from thesaban.reports.models import ReportPhoto

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "PhoneModel X"
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (13.0, 45.0, 30.5), 3: "E", 4: (100.0, 30.0, 12.0)})
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions; its pixel data never needs to exist."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
    )


def opened(content) -> Image.Image:
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert image.getexif().get_ifd(GPS_IFD) == {}
    assert "exif" not in image.info
    assert b"Exif\x00\x00" not in data
    assert b"PhoneMaker" not in data and b"PhoneModel" not in data


def test_input_really_carries_gps():
    # Guards the other tests: the fixture photo has GPS before cleaning.
    data = image_bytes(exif=gps_exif())
    exif = Image.open(io.BytesIO(data)).getexif()
    assert exif.get_ifd(GPS_IFD)[2] == (13.0, 45.0, 30.5)
    assert b"PhoneMaker" in data


def test_exif_and_gps_are_removed_from_image_and_thumbnail():
    clean = photos.clean_photo(upload(image_bytes(size=(1200, 900), exif=gps_exif())))
    clean.image.seek(0)
    clean.thumbnail.seek(0)
    assert_no_metadata(clean.image.read())
    assert_no_metadata(clean.thumbnail.read())


@pytest.mark.django_db
def test_stored_files_have_no_exif(municipality, category):
    report = services.report_create(
        municipality=municipality,
        category=category,
        description="ท่อแตก",
        lat=13.0,
        lng=100.0,
        photos=[upload(image_bytes(size=(1200, 900), exif=gps_exif()))],
    )
    photo = ReportPhoto.objects.get(report=report)
    with photo.image.open("rb") as stored:
        assert_no_metadata(stored.read())
    with photo.thumbnail.open("rb") as stored:
        assert_no_metadata(stored.read())


def test_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6 means "rotate 90° clockwise to display": a 64x48 sensor image is shown 48x64.
    clean = photos.clean_photo(upload(image_bytes(size=(64, 48), exif=gps_exif(orientation=6))))
    assert (clean.width, clean.height) == (48, 64)
    assert opened(clean.image).size == (48, 64)


def test_output_is_re_encoded_jpeg():
    original = image_bytes(fmt="PNG", size=(300, 200))
    clean = photos.clean_photo(upload(original, "photo.png", "image/png"))
    clean.image.seek(0)
    data = clean.image.read()
    assert data != original
    assert data.startswith(b"\xff\xd8")
    assert opened(clean.image).mode == "RGB"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats(fmt):
    clean = photos.clean_photo(upload(image_bytes(fmt=fmt, size=(120, 80)), f"p.{fmt.lower()}"))
    assert (clean.width, clean.height) == (120, 80)
    assert opened(clean.image).format == "JPEG"


def test_png_with_alpha_is_accepted_on_white():
    image = Image.new("RGBA", (50, 40), (255, 0, 0, 0))  # fully transparent
    image.paste((0, 0, 255, 255), (0, 0, 25, 40))  # left half opaque blue
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    clean = photos.clean_photo(upload(buffer.getvalue(), "logo.png", "image/png"))
    result = opened(clean.image)
    assert result.mode == "RGB"
    red, green, blue = result.getpixel((45, 20))
    assert min(red, green, blue) > 240  # transparent became white, not black or red
    red, green, blue = result.getpixel((5, 20))
    assert blue > 200 and red < 60


def test_palette_and_greyscale_images_are_accepted():
    for mode in ("P", "L", "LA"):
        buffer = io.BytesIO()
        Image.new(mode, (30, 20)).save(buffer, format="PNG")
        assert opened(photos.clean_photo(upload(buffer.getvalue(), "x.png")).image).mode == "RGB"


def test_text_renamed_jpg_is_refused():
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(b"hello, I am a text file\n" * 20, "photo.jpg"))
    assert caught.value.code == "not_image"


def test_html_pretending_to_be_an_image_is_refused():
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(b"<html><script>alert(1)</script></html>", "photo.jpg"))
    assert caught.value.code == "not_image"


def test_truncated_jpeg_is_refused():
    data = image_bytes(size=(400, 300))
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(data[: len(data) // 2]))
    assert caught.value.code == "not_image"


def test_truncated_jpeg_is_refused_after_a_readiness_pdf_was_made():
    """WeasyPrint flips Pillow's LOAD_TRUNCATED_IMAGES when imported; the PDF export undoes it."""
    pytest.importorskip("weasyprint")
    from thesaban.readiness import exports

    with contextlib.suppress(Exception):  # only the import and the reset matter here
        exports.assessment_pdf(None)
    data = image_bytes(size=(400, 300))
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(data[: len(data) // 2]))
    assert caught.value.code == "not_image"


def test_gif_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 255, 0)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(buffer.getvalue(), "animated.gif", "image/gif"))
    assert caught.value.code == "format"


def test_gif_renamed_jpg_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(buffer.getvalue(), "photo.jpg", "image/jpeg"))
    assert caught.value.code == "format"


def test_over_10_mb_is_refused_before_reading():
    big = upload(b"\xff\xd8" + b"\0" * (photos.MAX_BYTES - 1))
    assert big.size == photos.MAX_BYTES + 1
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(big)
    assert caught.value.code == "too_large"
    assert big.tell() == 0  # not even read


def test_exactly_10_mb_is_not_refused_for_size():
    data = image_bytes(size=(32, 32))
    padded = upload(data + b"\0" * (photos.MAX_BYTES - len(data)))
    assert padded.size == photos.MAX_BYTES
    assert photos.clean_photo(padded).width == 32


def test_decompression_bomb_png_is_refused_cleanly():
    # 10,000 × 10,000 one-colour pixels: 100 megapixels, yet only a few kilobytes on disk.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(data, "bomb.png", "image/png"))
    assert caught.value.code == "bomb"


def test_huge_declared_dimensions_are_refused_before_decoding():
    # 50,000 × 50,000 (2.5 gigapixels) is past Pillow's own hard limit.
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(png_header_only(50_000, 50_000), "bomb.png", "image/png"))
    assert caught.value.code == "bomb"


def test_project_pixel_limit_below_pillows():
    # 7,000 × 7,000 = 49 megapixels: under Pillow's warning threshold, over the project's 40.
    assert Image.MAX_IMAGE_PIXELS > 7_000 * 7_000
    with pytest.raises(ValidationError) as caught:
        photos.clean_photo(upload(png_header_only(7_000, 7_000), "big.png", "image/png"))
    assert caught.value.code == "bomb"


def test_thumbnail_at_most_400_and_image_at_most_2048():
    clean = photos.clean_photo(upload(image_bytes(size=(3000, 1000))))
    assert (clean.width, clean.height) == (2048, 683)
    assert opened(clean.image).size == (2048, 683)
    thumb = opened(clean.thumbnail)
    assert max(thumb.size) == 400
    assert thumb.size == (400, 133)


def test_portrait_thumbnail_limits_the_height():
    clean = photos.clean_photo(upload(image_bytes(size=(900, 1200))))
    assert opened(clean.thumbnail).size == (300, 400)
    assert (clean.width, clean.height) == (900, 1200)  # small enough to keep its size


def test_small_photos_are_not_enlarged():
    clean = photos.clean_photo(upload(image_bytes(size=(64, 48))))
    assert opened(clean.thumbnail).size == (64, 48)
