"""Production areas (区域), their gates, who may pass (passes, credentials), what happened, who is inside."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.models import BaseModel, RestrictedQuerySet
from anjian.gates.choices import (
    GATE_TRAININGS,
    Category,
    DenialReason,
    Direction,
    EventSource,
    GateDirections,
    RegistrationStatus,
    RollCallEntryStatus,
    RollCallStatus,
)
from anjian.people.choices import CertificateKind, IdType, SpecialOperationCategory

__all__ = [
    "AccessEvent",
    "AccessPass",
    "Credential",
    "Gate",
    "Presence",
    "Registration",
    "RollCall",
    "RollCallEntry",
    "Zone",
    "certificate_requirement_choices",
    "gates_q",
]


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


def gates_q(scope: Any, action: str = "view", prefix: str = "") -> models.Q | None:
    """Rows of the gates module reaching their enterprise through ``prefix`` (e.g. ``"zone__"``).

    * ``view``: as the enterprise is seen (``enterprise_scope_q``): zone-wide roles all, departments what
      they supervise or what lies in their town, the enterprise's own users and gate operators their own;
    * ``operate`` (override a denial, run a roll call, check people at the muster point, approve visitors):
      zone-wide roles, the enterprise's own users and its gate operators — the supervising department
      watches but does not operate another's gate;
    * ``change`` (zones, gates, passes): as the enterprise is changed.
    """
    from anjian.enterprises.models import enterprise_scope_q

    field = f"{prefix}enterprise__"
    if action == "operate":
        if scope.sees_all:
            return models.Q()
        if scope.is_enterprise_side:
            return enterprise_scope_q(scope, "view", prefix=field)
        return None
    return enterprise_scope_q(scope, action, prefix=field)


def certificate_requirement_choices() -> list[tuple[str, str]]:
    """Certificate kinds a zone may require: a people ``CertificateKind`` or ``special_operation:<category>``."""
    kinds = [(str(k.value), str(k.label)) for k in CertificateKind]
    special = [
        (f"{CertificateKind.SPECIAL_OPERATION.value}:{c.value}", f"特种作业·{c.label}")
        for c in SpecialOperationCategory
    ]
    return kinds + special


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_facts_version() -> str:
    """A fresh random facts version (a token, not a counter: a rolled-back or restored row never makes an
    older cached copy look current again)."""
    return secrets.token_hex(16)


# ---------------------------------------------------------------------------------------------
# Zone and gate
# ---------------------------------------------------------------------------------------------


class Zone(BaseModel):
    """A production area of an enterprise behind a second gate: quota (定员), requirements, opening hours.

    ``headcount`` is the live counter, changed only under this row's lock (``gates.actions``).
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="gate_zones"
    )
    code = models.CharField(_("区域编码"), max_length=32)
    name = models.CharField(_("区域名称"), max_length=100)
    outline_geojson = models.JSONField(
        _("区域轮廓"), null=True, blank=True, help_text=_("GeoJSON Polygon（WGS84），位于厂区地块内")
    )
    quota = models.PositiveIntegerField(_("定员"), null=True, blank=True, help_text=_("留空表示不限"))
    warn_level = models.PositiveIntegerField(
        _("满员预警人数"), null=True, blank=True, help_text=_("达到该人数时提示即将满员")
    )
    required_trainings = models.JSONField(_("所需培训"), default=list, blank=True)
    required_certificates = models.JSONField(_("所需证书"), default=list, blank=True)
    opens_at = models.TimeField(_("开放时间自"), null=True, blank=True)
    closes_at = models.TimeField(_("开放时间至"), null=True, blank=True)
    hazard_note = models.CharField(
        _("涉及重大危险源"), max_length=200, blank=True, help_text=_("区域内的重大危险源装置（名称/编号）")
    )
    hazard_installations = models.ManyToManyField(
        "majorhazards.HazardInstallation",
        verbose_name=_("区域内的重大危险源"),
        blank=True,
        related_name="gate_zones",
        help_text=_("本企业的重大危险源装置/储存单元"),
    )
    headcount = models.PositiveIntegerField(_("在场人数"), default=0, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["enterprise", "code"]
        verbose_name = _("二道门区域")
        verbose_name_plural = _("二道门区域")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="gates_zone_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("gates:zone_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    @property
    def level(self) -> str:
        """``over`` (above quota, after an override), ``full``, ``warn`` or ``ok``."""
        if self.quota is not None and self.headcount > self.quota:
            return "over"
        if self.quota is not None and self.headcount >= self.quota:
            return "full"
        if self.warn_level is not None and self.headcount >= self.warn_level:
            return "warn"
        return "ok"

    @property
    def required_training_labels(self) -> list[str]:
        """The required trainings as labels (安全教育…), not codes."""
        return [GATE_TRAININGS.get(code, code) for code in self.required_trainings or ()]

    @property
    def required_certificate_labels(self) -> list[str]:
        """The required certificate kinds as labels (特种作业·危险化学品安全作业…), not codes."""
        labels = dict(certificate_requirement_choices())
        return [labels.get(code, code) for code in self.required_certificates or ()]

    def get_level_colour(self) -> str:
        return {"over": "danger", "full": "danger", "warn": "warning"}.get(self.level, "success")

    def get_level_display(self) -> str:
        return {"over": "超员", "full": "满员", "warn": "即将满员"}.get(self.level, "正常")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Never write ``headcount`` from an instance: the counter changes only by ``UPDATE … SET headcount =
        headcount ± 1`` under the row lock, so a stale copy (an edit form, the admin) must not overwrite it."""
        if self.pk is not None and not self._state.adding and "update_fields" not in kwargs:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "headcount"
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.code = (self.code or "").strip().upper()
        if not self.code:
            errors.setdefault("code", []).append(str(_("区域编码不能为空")))
        if self.warn_level is not None and self.quota is not None and self.warn_level > self.quota:
            errors.setdefault("warn_level", []).append(str(_("满员预警人数不能大于定员")))
        if not isinstance(self.required_trainings, list) or not set(self.required_trainings) <= set(
            GATE_TRAININGS
        ):
            errors.setdefault("required_trainings", []).append(str(_("所需培训只能从列表中选择")))
        allowed = {k for k, _label in certificate_requirement_choices()}
        if not isinstance(self.required_certificates, list) or not set(self.required_certificates) <= allowed:
            errors.setdefault("required_certificates", []).append(str(_("所需证书只能从列表中选择")))
        if (self.opens_at is None) != (self.closes_at is None):
            errors.setdefault("closes_at", []).append(str(_("开放时间的起止须同时填写或同时留空")))
        if self.outline_geojson not in (None, {}, ""):
            from anjian.gates.geometry import outline_error

            problem = outline_error(self.outline_geojson, self.enterprise if self.enterprise_id else None)
            if problem:
                errors.setdefault("outline_geojson", []).append(problem)
        if self.code and self.enterprise_id:
            clash = Zone.objects.filter(enterprise_id=self.enterprise_id, code=self.code).exclude(pk=self.pk)
            if clash.exists():
                errors.setdefault("code", []).append(str(_("本企业已有该区域编码")))
        if errors:
            raise ValidationError(errors)


class Gate(BaseModel):
    """A second gate (二道门) of a zone: its code, directions and the controller that reports its events.

    The controller authenticates with a token; only its SHA-256 is stored (shown once when issued).
    """

    zone = models.ForeignKey(Zone, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="gates")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    code = models.CharField(
        _("门编码"), max_length=32, unique=True, help_text=_("全园区唯一，控制器以此上报")
    )
    name = models.CharField(_("门名称"), max_length=100)
    directions = models.CharField(
        _("通行方向"), max_length=8, choices=GateDirections.choices, default=GateDirections.BOTH
    )
    controller_id = models.CharField(_("控制器编号"), max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    token_hint = models.CharField(_("令牌尾号"), max_length=8, blank=True, editable=False)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["zone", "code"]
        verbose_name = _("二道门")
        verbose_name_plural = _("二道门")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def issue_token(self) -> str:
        """Set a fresh controller token (returned once; only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.token_hint = token[-4:]
        return token

    def token_matches(self, token: str) -> bool:
        """Constant-time comparison of ``token`` with the stored hash."""
        if not self.token_hash or not token:
            return False
        return secrets.compare_digest(self.token_hash, _hash_token(token))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.zone_id is not None:
            self.enterprise_id = Zone.objects.values_list("enterprise_id", flat=True).get(pk=self.zone_id)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        if not self.code:
            raise ValidationError({"code": _("门编码不能为空")})
        if not all(ch.isalnum() or ch in "-_" for ch in self.code):
            raise ValidationError({"code": _("门编码只能包含字母、数字、- 和 _")})
        if Gate.objects.filter(code=self.code).exclude(pk=self.pk).exists():
            raise ValidationError({"code": _("该门编码已被使用（全园区唯一）")})


# ---------------------------------------------------------------------------------------------
# Who may pass
# ---------------------------------------------------------------------------------------------


class AccessPass(BaseModel):
    """A person's right to pass an enterprise's second gates: category, zones, period, blacklist flag.

    Employees have no period; visitors and contractors get one from their approved registration.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="gate_passes"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="gate_passes"
    )
    category = models.CharField(
        _("人员类别"), max_length=16, choices=Category.choices, default=Category.EMPLOYEE
    )
    zones = models.ManyToManyField(Zone, verbose_name=_("授权区域"), blank=True, related_name="passes")
    valid_from = models.DateTimeField(_("允许进入自"), null=True, blank=True)
    valid_until = models.DateTimeField(_("允许进入至"), null=True, blank=True)
    induction_passed_at = models.DateTimeField(_("入厂安全教育通过时间"), null=True, blank=True)
    blacklisted = models.BooleanField(_("黑名单"), default=False)
    blacklist_reason = models.CharField(_("列入黑名单原因"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    # Replaced by database triggers (migration 0002) whenever anything the gate decides on changes: this
    # pass, its zones, its credentials, its person's trainings, certificates or 在职 flag. The gate's
    # per-process cache of a credential's facts (``gates.facts``) is valid only while this is unchanged.
    facts_version = models.CharField(max_length=32, default=new_facts_version, editable=False)

    class Meta:
        ordering = ["enterprise", "person"]
        verbose_name = _("通行授权")
        verbose_name_plural = _("通行授权")
        constraints = [models.UniqueConstraint(fields=["enterprise", "person"], name="gates_pass_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_category_display()}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("允许进入的截止时间必须晚于开始时间")})
        if self.blacklisted and not (self.blacklist_reason or "").strip():
            raise ValidationError({"blacklist_reason": _("列入黑名单须填写原因")})


class Credential(BaseModel):
    """A card number or face id presented at a gate, bound to one pass (and so to one person)."""

    class Kind(models.TextChoices):
        CARD = "card", _("IC 卡")
        FACE = "face", _("人脸")

    code = models.CharField(_("卡号/人脸编号"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.CARD)
    access_pass = models.ForeignKey(
        AccessPass, verbose_name=_("通行授权"), on_delete=models.CASCADE, related_name="credentials"
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("门禁凭证")
        verbose_name_plural = _("门禁凭证")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action, prefix="access_pass__")

    def audit_related(self) -> models.Model | None:
        return self.access_pass.enterprise


class Registration(BaseModel):
    """A visitor's or contractor's registration with a host enterprise: who, when, induction quiz, approval.

    Filled in by the host or by the visitor on a phone (QR code at the gate, ``self_registered``); the
    入厂安全教育 course and quiz move it to 待审批; the host's approval creates the person, pass and credential.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("接待企业"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices, default=Category.VISITOR)
    name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField(_("证件号码"), max_length=32)
    phone = models.CharField(_("手机号"), max_length=30)
    company = models.CharField(_("所在单位"), max_length=200, blank=True)
    purpose = models.CharField(_("事由"), max_length=200)
    host_name = models.CharField(_("接待人"), max_length=50, blank=True)
    zones = models.ManyToManyField(Zone, verbose_name=_("申请进入区域"), blank=True, related_name="+")
    valid_from = models.DateTimeField(_("到访开始"))
    valid_until = models.DateTimeField(_("到访结束"))
    self_registered = models.BooleanField(_("扫码自助登记"), default=False)
    quiz_score = models.PositiveSmallIntegerField(_("安全教育测验得分"), null=True, blank=True)
    induction_passed_at = models.DateTimeField(_("入厂安全教育通过时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    access_pass = models.ForeignKey(
        AccessPass,
        verbose_name=_("通行授权"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    credential_code = models.CharField(_("发放凭证"), max_length=64, blank=True)
    # The link a phone opens after scanning the gate's QR code (unguessable, per registration).
    access_key = models.CharField(max_length=43, unique=True, editable=False)

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("访客/承包商登记")
        verbose_name_plural = _("访客/承包商登记")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_category_display()}）"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def get_status_colour(self) -> str:
        return RegistrationStatus.colour_of(self.status)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.access_key:
            self.access_key = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from anjian.people.identity import check_id_number

        errors: dict[str, list[str]] = {}
        self.name = (self.name or "").strip()
        if not self.name:
            errors.setdefault("name", []).append(str(_("姓名不能为空")))
        result = check_id_number(self.id_type, self.id_number)
        self.id_number = result.normalized
        if not result.valid:
            errors.setdefault("id_number", []).append(result.message)
        self.phone = (self.phone or "").strip().replace(" ", "")
        if not (len(self.phone) == 11 and self.phone.isdigit() and self.phone.startswith("1")):
            errors.setdefault("phone", []).append(str(_("请填写11位手机号")))
        if self.valid_from and self.valid_until:
            if self.valid_until <= self.valid_from:
                errors.setdefault("valid_until", []).append(str(_("到访结束必须晚于开始")))
            elif (self.valid_until - self.valid_from).days > 366:
                errors.setdefault("valid_until", []).append(str(_("登记期限不能超过一年")))
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# What happened and who is inside
# ---------------------------------------------------------------------------------------------


class AccessEvent(models.Model):
    """One passage (or attempt) at a gate, with the decision. Append-only; high volume.

    ``(credential, gate, ts)`` is unique: a controller that repeats an event gets the first answer.
    """

    gate = models.ForeignKey(Gate, verbose_name=_("门"), on_delete=models.PROTECT, related_name="events")
    zone = models.ForeignKey(Zone, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="events")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    credential = models.CharField(_("凭证"), max_length=64)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices, blank=True)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices)
    ts = models.BigIntegerField(_("时间戳（毫秒）"))
    at = models.DateTimeField(_("时间"), db_index=True)
    allow = models.BooleanField(_("放行"))
    reason = models.CharField(_("拒绝原因"), max_length=24, choices=DenialReason.choices, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=EventSource.choices, default=EventSource.HTTP)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人工放行人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overridden_at = models.DateTimeField(_("人工放行时间"), null=True, blank=True)
    override_reason = models.CharField(_("人工放行理由"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("通行记录")
        verbose_name_plural = _("通行记录")
        constraints = [
            models.UniqueConstraint(fields=["credential", "gate", "ts"], name="gates_event_unique"),
        ]
        indexes = [models.Index(fields=["zone", "at"]), models.Index(fields=["enterprise", "at"])]

    def __str__(self) -> str:
        return f"{self.credential} {self.get_direction_display()} {self.gate.code}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def get_reason_colour(self) -> str:
        return DenialReason.colour_of(self.reason)

    @property
    def message(self) -> str:
        from anjian.domain.gate_rules import ALLOW_MESSAGE_IN, ALLOW_MESSAGE_OUT, MESSAGES, Reason

        if self.reason:
            return MESSAGES[Reason(self.reason)]
        return ALLOW_MESSAGE_OUT if self.direction == Direction.OUT else ALLOW_MESSAGE_IN


class Presence(models.Model):
    """A person inside a zone, since when, through which credential. One row per (person, zone)."""

    zone = models.ForeignKey(Zone, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="presences")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="gate_presences"
    )
    access_pass = models.ForeignKey(
        AccessPass, verbose_name=_("通行授权"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices)
    credential = models.CharField(_("凭证"), max_length=64)
    since = models.DateTimeField(_("进入时间"))
    entry = models.ForeignKey(
        AccessEvent, verbose_name=_("进入记录"), on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["zone", "since", "id"]
        verbose_name = _("在场人员")
        verbose_name_plural = _("在场人员")
        constraints = [models.UniqueConstraint(fields=["person", "zone"], name="gates_presence_unique")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.zone}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)


# ---------------------------------------------------------------------------------------------
# Emergency roll call
# ---------------------------------------------------------------------------------------------


class RollCall(BaseModel):
    """An emergency roll call (应急点名) of a zone or a whole enterprise, kept with its timeline."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roll_calls",
        help_text=_("留空表示全厂点名"),
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=RollCallStatus.choices, default=RollCallStatus.OPEN
    )
    reason = models.CharField(_("事由"), max_length=200)
    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("应急点名")
        verbose_name_plural = _("应急点名")

    def __str__(self) -> str:
        where = self.zone.name if self.zone_id and self.zone else "全厂"
        return f"应急点名 · {where} · {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("gates:rollcall_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action)

    def audit_related(self) -> models.Model | None:
        return self.enterprise

    def get_status_colour(self) -> str:
        return RollCallStatus.colour_of(self.status)


class RollCallEntry(models.Model):
    """A person inside when the roll call started, and how (and when) they were accounted for."""

    roll_call = models.ForeignKey(
        RollCall, verbose_name=_("点名"), on_delete=models.CASCADE, related_name="entries"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    zone = models.ForeignKey(Zone, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices)
    since = models.DateTimeField(_("进入时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=RollCallEntryStatus.choices, default=RollCallEntryStatus.MISSING
    )
    accounted_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    accounted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "name", "id"]
        verbose_name = _("点名人员")
        verbose_name_plural = _("点名人员")
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "person", "zone"], name="gates_rce_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_status_display()}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        return gates_q(scope, action, prefix="roll_call__")

    def audit_related(self) -> models.Model | None:
        """A person's muster check is on the roll call's history."""
        return self.roll_call

    def get_status_colour(self) -> str:
        return RollCallEntryStatus.colour_of(self.status)
