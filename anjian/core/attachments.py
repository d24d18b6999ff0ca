"""Files attached to any object: evidence, before/after photos, certificate scans, incident reports.

``attach(parent, uploaded_file, acting_user=…, kind=…)`` checks the size and the type (by the file's
first bytes, not its name) before anything is stored, computes the SHA-256, keeps the original name,
who and when, reads a photo's EXIF capture time and GPS position, makes a thumbnail, writes one audit row
(on the parent's history) and returns the ``Attachment``. A refused file raises ``ValidationError`` with a
Chinese message and leaves nothing behind — no row, no file.

Files are never public media: ``core:attachment`` serves one after fetching its parent through the access
layer (absent and out of scope both 404). Pages show them with ``{% include "core/_attachments.html" %}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from anjian.core.audit import record, snapshot
from anjian.core.choices import AuditEvent
from anjian.core.models import Attachment

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FileKind",
    "PhotoFacts",
    "attach",
    "attachments_of",
    "detach",
    "photo_facts",
    "sniff",
]

log = logging.getLogger(__name__)

#: Default upper bound of one attachment (``ANJIAN_ATTACHMENT_MAX_BYTES`` overrides it).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: A photo larger than this many pixels is refused before it is decoded (decompression bombs).
MAX_PIXELS = 60_000_000
THUMB_SIZE = (320, 320)


@dataclass(frozen=True)
class FileKind:
    """A type the platform accepts, recognised by its leading bytes."""

    key: str
    label: str
    mime: str
    extensions: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    "jpeg": FileKind("jpeg", "JPEG 图片", "image/jpeg", (".jpg", ".jpeg")),
    "png": FileKind("png", "PNG 图片", "image/png", (".png",)),
    "webp": FileKind("webp", "WebP 图片", "image/webp", (".webp",)),
    "pdf": FileKind("pdf", "PDF 文档", "application/pdf", (".pdf",)),
    "xlsx": FileKind(
        "xlsx", "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
    ),
    "docx": FileKind(
        "docx",
        "Word 文档",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
}
#: What ``attach`` accepts unless the caller narrows it (``allowed=("jpeg", "png")`` for photos only).
DEFAULT_ALLOWED: tuple[str, ...] = ("jpeg", "png", "webp", "pdf", "xlsx", "docx")
PHOTO_KINDS: tuple[str, ...] = ("jpeg", "png", "webp")


def sniff(head: bytes, name: str) -> FileKind | None:
    """The type of a file from its first bytes (and, for Office files, its extension); ``None`` if unknown."""
    ext = os.path.splitext(name.lower())[1]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return KINDS["webp"]
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"PK\x03\x04"):
        for key in ("xlsx", "docx"):
            if ext in KINDS[key].extensions:
                return KINDS[key]
    return None


@dataclass(frozen=True)
class PhotoFacts:
    """What a photo says about itself: capture time, GPS position (WGS84 degrees), pixel size."""

    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    width: int
    height: int
    thumbnail: bytes | None


def _rational(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        num, den = value
        return float(num) / float(den)


def _gps_degrees(dms: Any, ref: Any) -> Decimal | None:
    try:
        d, m, s = (_rational(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if str(ref).upper().startswith(("S", "W")):
        degrees = -degrees
    return Decimal(f"{degrees:.7f}")


def _exif_time(raw: Any, offset: Any) -> dt.datetime | None:
    if not raw:
        return None
    try:
        naive = dt.datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    if offset:
        try:
            sign = -1 if str(offset).startswith("-") else 1
            hours, minutes = str(offset).lstrip("+-").split(":")[:2]
            tz = dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
            return naive.replace(tzinfo=tz)
        except ValueError:
            pass
    # No offset recorded: the camera's clock is taken to be local time (settings.TIME_ZONE).
    return timezone.make_aware(naive, timezone.get_default_timezone())


def photo_facts(data: bytes) -> PhotoFacts:
    """Read EXIF capture time (DateTimeOriginal, OffsetTimeOriginal) and GPS, and make a JPEG thumbnail.

    Raises ``ValidationError`` when the image cannot be decoded or is too large to decode safely.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ValidationError("图片像素过大（超过 6000 万像素），请压缩后再上传")
            exif = img.getexif()
            sub = exif.get_ifd(0x8769)  # Exif IFD
            gps = exif.get_ifd(0x8825)  # GPS IFD
            taken = _exif_time(sub.get(36867) or exif.get(306), sub.get(36881))
            lat = _gps_degrees(gps[2], gps.get(1, "N")) if 2 in gps else None
            lon = _gps_degrees(gps[4], gps.get(3, "E")) if 4 in gps else None
            if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
                lat = lon = None
            thumb = ImageOps.exif_transpose(img)
            thumb.thumbnail(THUMB_SIZE)
            out = io.BytesIO()
            thumb.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError("图片已损坏或无法识别，请重新拍摄或导出后上传") from exc
    return PhotoFacts(taken, lat, lon, width, height, out.getvalue())


def max_bytes_default() -> int:
    return int(getattr(settings, "ANJIAN_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _read_bounded(uploaded: IO[bytes] | Any, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, so a huge upload is refused without reading it all."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"文件过大（{_human(int(size))}），单个附件不能超过 {_human(limit)}")
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data: bytes = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"文件过大，单个附件不能超过 {_human(limit)}")
    return data


def attach(
    parent: models.Model,
    uploaded: IO[bytes] | Any,
    *,
    acting_user: Any,
    kind: str = "",
    name: str | None = None,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
    audit: bool = True,
) -> Attachment:
    """Store ``uploaded`` as an attachment of ``parent``; refuse (``ValidationError``, nothing stored) a
    file that is empty, too large, or not of an ``allowed`` type.

    The caller (an app's action) has already checked that ``acting_user`` may change ``parent``.
    """
    if parent.pk is None:
        raise ValueError("attach() needs a saved parent")
    limit = max_bytes or max_bytes_default()
    original = os.path.basename(name or getattr(uploaded, "name", "") or "附件")[:255] or "附件"
    data = _read_bounded(uploaded, limit)
    if not data:
        raise ValidationError("文件为空，请重新选择")
    allowed = tuple(allowed)
    found = sniff(data[:16], original)
    if found is None or found.key not in allowed:
        names = "、".join(KINDS[k].label for k in allowed)
        raise ValidationError(f"不支持该文件类型（{original}），只能上传：{names}")
    facts = photo_facts(data) if found.key in PHOTO_KINDS else None
    digest = hashlib.sha256(data).hexdigest()
    user = acting_user if getattr(acting_user, "pk", None) else None
    ext = found.extensions[0]
    stored_names: list[Any] = []
    try:
        with transaction.atomic():
            att = Attachment(
                parent_type=ContentType.objects.get_for_model(parent),
                parent_id=str(parent.pk),
                kind=kind,
                original_name=original,
                content_type=found.mime,
                size=len(data),
                sha256=digest,
                uploaded_by=user,
                uploaded_by_name=(user.get_full_name() or user.get_username())[:150] if user else "系统",
                taken_at=facts.taken_at if facts else None,
                latitude=facts.latitude if facts else None,
                longitude=facts.longitude if facts else None,
            )
            att.file.save(f"{digest[:16]}{ext}", ContentFile(data), save=False)
            stored_names.append(att.file)
            if facts is not None and facts.thumbnail:
                att.thumbnail.save(f"{digest[:16]}.jpg", ContentFile(facts.thumbnail), save=False)
                stored_names.append(att.thumbnail)
            att.save()
            if audit:
                record(
                    AuditEvent.ATTACHMENT_ADDED,
                    att,
                    acting_user=acting_user,
                    after=snapshot(att),
                    related=parent,
                    message=f"上传附件：{original}",
                )
    except BaseException:
        for stored in stored_names:
            stored.storage.delete(stored.name)
        raise
    return att


def attachments_of(parent: models.Model, kind: str | None = None) -> models.QuerySet[Attachment]:
    """The attachments of ``parent`` (optionally of one ``kind``), oldest first.

    The caller has fetched ``parent`` through the access layer; its attachments are visible with it.
    """
    qs = Attachment.objects.filter(
        parent_type=ContentType.objects.get_for_model(parent), parent_id=str(parent.pk)
    ).select_related("uploaded_by")
    return qs.filter(kind=kind) if kind is not None else qs


def detach(attachment: Attachment, *, acting_user: Any, reason: str = "") -> None:
    """Remove an attachment and its files (one audit row on the parent's history)."""
    with transaction.atomic():
        parent = attachment.parent
        before = snapshot(attachment)
        names = [f for f in (attachment.file, attachment.thumbnail) if f]
        record(
            AuditEvent.ATTACHMENT_REMOVED,
            attachment,
            acting_user=acting_user,
            before=before,
            related=parent,
            reason=reason,
            message=f"删除附件：{attachment.original_name}",
        )
        attachment.delete()
        for f in names:
            transaction.on_commit(_deleter(f.storage, f.name))


def _deleter(storage: Any, name: str) -> Any:
    return lambda: storage.delete(name)


def parent_of(attachment: Attachment) -> tuple[type[models.Model], str]:
    """The parent's model class and primary key (for fetching it through the access layer)."""
    model = attachment.parent_type.model_class()
    if model is None:
        raise LookupError(attachment.parent_type_id)
    return model, attachment.parent_id
