"""Base model, restricted querysets and the one audit table (NetBox ``ObjectChange``)."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import audit_event_label

__all__ = [
    "Attachment",
    "AuditEntry",
    "BackgroundTask",
    "BaseModel",
    "JobRun",
    "Notification",
    "RestrictedQuerySet",
]

_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    """A queryset that can be narrowed to what a user may see (NetBox ``RestrictedQuerySet``)."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        """Return only the rows ``user`` may ``action`` ("view" or "change")."""
        from anjian.core.access import restrict

        return restrict(self, user, action)


class BaseModel(models.Model):
    """Abstract base: timestamps, a restricted manager, and the scope hook every model overrides.

    ``scope_q(scope, action)`` returns a ``Q`` of the rows a scope may see (``Q()`` for all) or ``None``
    for none. The default lets only zone-wide roles (admin, committee office) see anything.
    """

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Rows visible to ``scope``; override per model."""
        return models.Q() if scope.sees_all else None

    def audit_related(self) -> models.Model | None:
        """The object whose history should also show this object's changes (e.g. its enterprise)."""
        return None

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        """A row loaded from the database, as ``Model.from_db`` makes it but without ``Model.__init__``.

        ``__init__`` costs ~6.5 µs an instance here (signals, argument handling, a descriptor call per field): at
        province scale an export of 100,000 certificates with their person and enterprise built 300,000 instances,
        two fifths of its time. The stored values go straight into the instance's ``__dict__`` — what ``__init__``
        ends up doing for positional values, the descriptors of concrete fields (foreign-key ids, files) only
        storing there — and deferred fields stay absent, as before. Falls back to Django's path when something
        listens to ``pre_init``/``post_init`` (an ``ImageField`` with dimension fields does).
        """
        if signals.pre_init.has_listeners(cls) or signals.post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        attnames = _ATTNAMES.get(cls)
        if attnames is None:
            attnames = _ATTNAMES[cls] = tuple(f.attname for f in cls._meta.concrete_fields)
        new = cls.__new__(cls)
        state = new._state = ModelState()
        state.adding = False
        state.db = db
        if len(values) == len(attnames):
            new.__dict__.update(zip(attnames, values, strict=True))
        else:
            loaded = set(field_names)
            new.__dict__.update(zip([a for a in attnames if a in loaded], values, strict=True))
        return new


#: Concrete fields' attribute names per model class, in ``from_db`` order (filled on first load).
_ATTNAMES: dict[type[models.Model], tuple[str, ...]] = {}


class AuditEntry(models.Model):
    """Who did what to which object, when and why, with the state before and after.

    Written by the API/view base classes for plain edits and explicitly by every workflow action.
    """

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    # No ``choices=`` on purpose: each module adds its own events, and the labels need no migration.
    event_type = models.PositiveIntegerField(_("事件"), db_index=True)
    # Indexed once, by the (object_type, object_id, time) index below: an audit row is written with every change,
    # so each index more is paid by every write (issue 8: 11 indexes were a quarter of an import's server time).
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object = GenericForeignKey("object_type", "object_id")
    object_repr = models.CharField(_("对象"), max_length=200)
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Looked up by value (a related object's history; a client address for the login lockout): a plain index,
    # without the ``LIKE`` twin PostgreSQL gets for ``db_index=True``.
    related_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            models.Index(fields=["object_type", "object_id", "time"]),
            models.Index(fields=["related_id"], name="core_audit_related_id"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.get_event_type_display()} {self.object_repr}"
        )

    def get_event_type_display(self) -> str:
        """The event's Chinese label (the number itself for an event this version does not know)."""
        return audit_event_label(self.event_type) or str(self.event_type)

    def readable_changes(self) -> list[tuple[str, str, str, bool]]:
        """Changed fields as people read them: verbose name, labels and names, local time (core.history)."""
        from anjian.core.history import readable_changes

        return readable_changes(self)

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """Return ``(field, before, after)`` for every field whose value differs."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Attachment(models.Model):
    """A file attached to any object (evidence, photos, scans), seen only by those who see its parent.

    Written only by ``core.attachments.attach`` (limits, SHA-256, EXIF time and GPS, thumbnail) and
    served by ``core:attachment`` through the parent's ``scope_q``.
    """

    parent_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    parent_id = models.CharField(_("所属对象编号"), max_length=64, db_index=True)
    parent = GenericForeignKey("parent_type", "parent_id")
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/", max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by_name = models.CharField(_("上传人姓名"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=10, decimal_places=7, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=10, decimal_places=7, null=True, blank=True)
    thumbnail = models.FileField(
        _("缩略图"), upload_to="attachments/thumbs/%Y/%m/", max_length=255, blank=True
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["parent_type", "parent_id"])]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:attachment", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def thumbnail_url(self) -> str:
        from django.urls import reverse

        return reverse("core:attachment_thumb", args=[self.pk]) if self.thumbnail else ""


class Notification(models.Model):
    """One message in one user's inbox: what happened, why they got it, and the object it is about.

    Written by ``core.notifications.notify`` (actions and jobs); each user sees only their own.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=40, blank=True, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    why = models.CharField(_("接收原因"), max_length=200)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    url = models.CharField(_("链接"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Everyone sees only their own inbox (administrators included)."""
        if scope.user_id is None:
            return None
        return models.Q(recipient_id=scope.user_id)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class JobRun(models.Model):
    """One run of a scheduled job for one time slot; ``(job, slot)`` is unique, so a slot runs once
    however many workers are running (``core.jobs``)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    job = models.CharField(_("任务"), max_length=100)
    slot = models.CharField(_("时段"), max_length=40)
    node = models.CharField(_("执行节点"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), null=True, blank=True)
    detail = models.TextField(_("结果"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobrun_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} {self.slot}"


class BackgroundTask(models.Model):
    """A long piece of work a user asked for (a large export or import), run outside the request (``core.tasks``).

    Only the user who asked sees it and downloads its file; ``done``/``total`` drive the progress bar.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=60)
    label = models.CharField(_("名称"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="tasks"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    file_path = models.CharField(_("文件"), max_length=300, blank=True)
    file_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.label

    @property
    def finished(self) -> bool:
        """Done or failed."""
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        """Progress in whole percent (100 when done)."""
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
