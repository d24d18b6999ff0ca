"""Attachments: limits refuse with a Chinese message and store nothing; photos keep EXIF time and GPS;
served only to users who may see the parent (another enterprise's attachment answers 404)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anjian.core.attachments import attach, attachments_of, detach
from anjian.core.choices import AuditEvent
from anjian.core.models import Attachment, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def phone_photo(*, gps: bool = True) -> bytes:
    """A JPEG as a phone writes it: DateTimeOriginal with an offset, and a GPS position."""
    img = Image.new("RGB", (640, 480), "orange")
    exif = img.getexif()
    exif.get_ifd(0x8769).update({36867: "2025:06:01 09:30:15", 36881: "+08:00"})
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (38.0, 45.0, 36.0), 3: "E", 4: (105.0, 30.0, 0.0)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_photo_keeps_capture_time_gps_hash_and_thumbnail(
    enterprise_factory: Any, committee_user: Any, media: Path
) -> None:
    # given an enterprise and a phone photo
    enterprise = enterprise_factory()
    data = phone_photo()
    before = AuditEntry.objects.count()
    # when it is attached
    att = attach(
        enterprise, SimpleUploadedFile("现场照片.jpg", data), acting_user=committee_user, kind="photo"
    )
    # then its facts are stored
    assert att.original_name == "现场照片.jpg"
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert att.size == len(data) and att.content_type == "image/jpeg"
    assert att.taken_at == dt.datetime(2025, 6, 1, 1, 30, 15, tzinfo=dt.UTC)
    assert att.latitude == Decimal("38.7600000") and att.longitude == Decimal("105.5000000")
    assert att.uploaded_by == committee_user and att.uploaded_at is not None
    assert att.thumbnail and Image.open(att.thumbnail.path).size[0] <= 320
    assert list(attachments_of(enterprise)) == [att]
    assert list(attachments_of(enterprise, kind="scan")) == []
    # and one audit row that shows on the parent's history
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.event_type == AuditEvent.ATTACHMENT_ADDED and entry.related_id == str(enterprise.pk)


def test_pdf_without_exif_is_accepted(enterprise_factory: Any) -> None:
    att = attach(enterprise_factory(), SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n%...\n"), acting_user=None)
    assert att.content_type == "application/pdf" and att.taken_at is None and not att.thumbnail
    assert att.uploaded_by_name == "系统"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.jpg", b"\xff\xd8\xff" + b"0" * 2048, "文件过大"),
        ("page.html", b"<html><script>alert(1)</script></html>", "不支持该文件类型"),
        ("fake.jpg", b"MZ\x90\x00 this is an exe", "不支持该文件类型"),
        ("empty.pdf", b"", "文件为空"),
        ("broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "图片已损坏"),
    ],
)
def test_refused_files_store_nothing(
    enterprise_factory: Any, media: Path, name: str, data: bytes, message: str
) -> None:
    # given an enterprise and a limit of 1 KB
    enterprise = enterprise_factory()
    rows, audits = Attachment.objects.count(), AuditEntry.objects.count()
    # when a file over the limit, of a forbidden type, empty or broken is attached
    with pytest.raises(ValidationError) as info:
        attach(enterprise, SimpleUploadedFile(name, data), acting_user=None, max_bytes=1024)
    # then the refusal is in Chinese and nothing is stored: no row, no audit, no file
    assert message in info.value.messages[0]
    assert Attachment.objects.count() == rows and AuditEntry.objects.count() == audits
    assert files_under(media) == []


def test_photo_only_slot_refuses_a_pdf(enterprise_factory: Any) -> None:
    with pytest.raises(ValidationError, match="只能上传：JPEG 图片、PNG 图片"):
        attach(
            enterprise_factory(),
            io.BytesIO(b"%PDF-1.4"),
            name="a.pdf",
            acting_user=None,
            allowed=("jpeg", "png"),
        )


def test_served_through_the_parents_scope(
    enterprise_factory: Any, enterprise_user_factory: Any, client_for: Any, committee_user: Any
) -> None:
    # given two enterprises, each with a photo
    mine, theirs = enterprise_factory(), enterprise_factory()
    own_photo = attach(mine, SimpleUploadedFile("a.jpg", phone_photo()), acting_user=None)
    other_photo = attach(theirs, SimpleUploadedFile("b.jpg", phone_photo(gps=False)), acting_user=None)
    client = client_for(enterprise_user_factory(mine))
    # then the enterprise's user gets its own file and thumbnail
    response = client.get(f"/core/attachments/{own_photo.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == own_photo.file.open("rb").read()
    assert client.get(f"/core/attachments/{own_photo.pk}/thumb/").status_code == 200
    # and the other enterprise's attachment answers 404, exactly like an absent one
    assert client.get(f"/core/attachments/{other_photo.pk}/").status_code == 404
    assert client.get(f"/core/attachments/{other_photo.pk}/thumb/").status_code == 404
    assert client.get("/core/attachments/999999/").status_code == 404
    # and a document without a thumbnail has no thumbnail URL to fetch
    assert other_photo.latitude is None


def test_detach_removes_row_and_files(
    enterprise_factory: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    att = attach(enterprise_factory(), SimpleUploadedFile("a.jpg", phone_photo()), acting_user=None)
    assert len(files_under(media)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        detach(att, acting_user=None, reason="传错了")
    assert not Attachment.objects.filter(pk=att.pk).exists()
    assert files_under(media) == []
    assert AuditEntry.objects.order_by("-id").first().event_type == AuditEvent.ATTACHMENT_REMOVED
