"""What may be attached as evidence: checked by the file's content, not only its name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_ANSWER = 5
OOXML = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}
ALLOWED_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".webp", ".txt", ".csv", *OOXML, *ODF)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip() or "evidence"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')[:200]


def check_upload(upload) -> CheckedFile:
    """The upload's bytes and true type, or a ValidationError saying what is wrong."""
    name = _safe_name(getattr(upload, "name", "") or "")
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB."),
            params={"name": name, "limit": MAX_BYTES // (1024 * 1024)},
        )
    content = upload.read()
    if len(content) > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB."),
            params={"name": name, "limit": MAX_BYTES // (1024 * 1024)},
        )
    if not content:
        raise ValidationError(_("“%(name)s” is empty."), params={"name": name})
    extension = PurePath(name.lower()).suffix
    content_type = _sniff(content, extension)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not an accepted file. Attach a PDF, an image (JPEG, PNG, WebP), "
                "a text or CSV file, or an office document (Word, Excel, PowerPoint, "
                "OpenDocument)."
            ),
            params={"name": name},
        )
    return CheckedFile(name=name, content_type=content_type, content=content)


def _sniff(content: bytes, extension: str) -> str | None:
    if content.startswith(b"%PDF-") and extension == ".pdf":
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n") and extension == ".png":
        return "image/png"
    if content.startswith(b"\xff\xd8\xff") and extension in (".jpg", ".jpeg"):
        return "image/jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP" and extension == ".webp":
        return "image/webp"
    if extension in OOXML or extension in ODF:
        return _office(content, extension)
    if extension in (".txt", ".csv"):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if b"\x00" in content:
            return None
        return "text/csv" if extension == ".csv" else "text/plain"
    return None


def _office(content: bytes, extension: str) -> str | None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if extension in OOXML:
                return OOXML[extension] if "[Content_Types].xml" in names else None
            if "mimetype" in names and archive.read("mimetype").decode() == ODF[extension]:
                return ODF[extension]
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError):
        return None
    return None
