"""Files uploaded into a model's own ``FileField`` (a certificate scan, report evidence) are bounded and typed.

``core.attachments.attach`` checks what it stores; a register that keeps its file in a field of its own
calls :func:`check_uploaded_file` from the model's ``clean()``, so every way in (page, API, admin) refuses a
50 MB ``scan.exe`` the same way: size at most ``ANJIAN_ATTACHMENT_MAX_BYTES`` (10 MB by default), type
recognised from the first bytes (not the name) among ``allowed``. A file already stored is not re-read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anjian.core.attachments import KINDS, max_bytes_default, sniff

__all__ = ["DOCUMENT_KINDS", "EVIDENCE_KINDS", "PHOTO_KINDS", "check_uploaded_file"]

#: Photos (a facility inspection's picture).
PHOTO_KINDS: tuple[str, ...] = ("jpeg", "png", "webp")
#: Scans: photos and PDF.
DOCUMENT_KINDS: tuple[str, ...] = ("jpeg", "png", "webp", "pdf")
#: Evidence of a report: also the minutes and tables people attach (Word, Excel).
EVIDENCE_KINDS: tuple[str, ...] = (*DOCUMENT_KINDS, "xlsx", "docx")


def check_uploaded_file(
    value: Any, *, label: str, allowed: tuple[str, ...] = DOCUMENT_KINDS, max_bytes: int | None = None
) -> None:
    """Raise a Chinese ``ValidationError`` when a newly uploaded ``value`` is too big or of another type."""
    if not value or getattr(value, "_committed", False):
        return  # nothing uploaded, or the stored file (checked when it came in)
    upload = getattr(value, "file", value)
    limit = max_bytes or max_bytes_default()
    size = getattr(upload, "size", None) or getattr(value, "size", None) or 0
    if size > limit:
        raise ValidationError(
            _("%(label)s不能超过 %(max)d MB（本文件 %(size).1f MB）")
            % {"label": label, "max": limit // 1024 // 1024, "size": size / 1024 / 1024},
            code="file_too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head, getattr(value, "name", "") or "")
    if kind is None or kind.key not in allowed:
        accepted = "、".join(KINDS[k].label for k in allowed)
        raise ValidationError(
            _("%(label)s只接受 %(kinds)s（按文件内容识别，不看扩展名）")
            % {"label": label, "kinds": accepted},
            code="file_type",
        )
