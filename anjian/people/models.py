"""People of enterprises and departments, their certificates (持证) and training records."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.batch import unique_taken
from anjian.core.models import BaseModel, RestrictedQuerySet
from anjian.core.uploads import check_uploaded_file
from anjian.people.choices import (
    CertificateKind,
    CertificateStatus,
    Education,
    IdType,
    RoleCategory,
    Sex,
    SpecialOperationCategory,
    TrainingKind,
    TrainingResult,
)
from anjian.people.constants import ENTERPRISE_ROLES, EXPIRING_WINDOWS, GOVERNMENT_ROLES
from anjian.people.identity import check_id_number, normalize_id_number

__all__ = ["Certificate", "CertificateQuerySet", "Person", "TrainingRecord", "people_q"]

# Mobile (1 + 10 digits) or landline with area code (0483-1234567), optionally with an extension.
_PHONE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


def people_q(scope: Any, action: str = "view", prefix: str = "") -> models.Q | None:
    """Rows of people (or of rows reaching a person through ``prefix``, e.g. ``"person__"``) in ``scope``.

    A person is visible as its employer is: enterprise staff as their enterprise
    (``enterprise_scope_q``: zone-wide roles all, departments the enterprises they supervise or that lie
    in their town, enterprise users their own); department staff to zone-wide roles and their own unit.
    """
    from anjian.enterprises.models import enterprise_scope_q

    if scope.sees_all:
        return models.Q()
    q = enterprise_scope_q(scope, action, prefix=f"{prefix}employer_enterprise__")
    if q is not None and not q:
        # Every enterprise (e.g. the commander reading): still only enterprise staff.
        q = models.Q(**{f"{prefix}employer_enterprise__isnull": False})
    if scope.org_id is not None and not scope.is_enterprise_side:
        own = models.Q(**{f"{prefix}employer_unit_id": scope.org_id})
        q = own if q is None else q | own
    return q


# ---------------------------------------------------------------------------------------------
# Person
# ---------------------------------------------------------------------------------------------


class Person(BaseModel):
    """A person the zone keeps on record: an enterprise's employee or a department's staff member.

    Exactly one of ``employer_enterprise`` and ``employer_unit`` is set. For a 居民身份证 the number is
    checked against GB 11643-1999 and ``sex``/``birth_date`` are taken from it.
    """

    name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField(_("证件号码"), max_length=32)
    sex = models.CharField(_("性别"), max_length=2, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    employer_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所在企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    employer_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所在部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    job = models.CharField(_("岗位/职务"), max_length=100, blank=True)
    role_category = models.CharField(
        _("人员类别"), max_length=20, choices=RoleCategory.choices, default=RoleCategory.OTHER_WORKER
    )
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    major = models.CharField(_("所学专业"), max_length=100, blank=True)
    major_safety_related = models.BooleanField(_("安全相关专业"), default=False)
    years_experience = models.PositiveSmallIntegerField(_("从业年限"), default=0)
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                name="people_person_unique_id",
                violation_error_message=_("该证件号码已登记"),
            ),
            models.CheckConstraint(
                condition=models.Q(employer_enterprise__isnull=False, employer_unit__isnull=True)
                | models.Q(employer_enterprise__isnull=True, employer_unit__isnull=False),
                name="people_person_one_employer",
                violation_error_message=_("所在企业和所在部门必须且只能填写一项"),
            ),
        ]
        indexes = [
            models.Index(fields=["role_category", "is_active"]),
            # The list's order, so a page of 600,000 people needs no sort of all of them.
            models.Index(fields=["name", "id"], name="people_person_list"),
        ]

    #: What ``clean()`` last derived from the number (type, number, sex, birth date), so ``derive_from_id``
    #: need not check the same number again (a bulk import checks each row once).
    _derived: tuple[Any, ...] | None = None

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:person_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Visible as the employer is (see :func:`people_q`)."""
        return people_q(scope, action)

    def audit_related(self) -> models.Model | None:
        """The employer, so a person's changes show on the 一企一档 page (or the unit's page)."""
        return self.employer_enterprise or self.employer_unit

    def get_role_colour(self) -> str:
        return RoleCategory.colour_of(self.role_category)

    @property
    def employer(self) -> models.Model | None:
        """The enterprise or department this person works for."""
        return self.employer_enterprise or self.employer_unit

    @property
    def masked_id_number(self) -> str:
        """The document number with the middle hidden (110105********002X), for lists."""
        n = self.id_number or ""
        return n if len(n) < 8 else f"{n[:6]}{'*' * (len(n) - 10)}{n[-4:]}"

    def derive_from_id(self) -> None:
        """Normalise the number and take sex and birth date from it where the document carries them."""
        if self._derived == (self.id_type, self.id_number, self.sex, self.birth_date):
            return  # clean() just did it, and nothing it set has changed since
        self.id_number = normalize_id_number(self.id_number)
        result = check_id_number(self.id_type, self.id_number)
        if result.valid and result.birth_date is not None:
            self.birth_date = result.birth_date
            self.sex = result.sex or self.sex

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.name = (self.name or "").strip()
        if not self.name:
            errors.setdefault("name", []).append(str(_("姓名不能为空")))
        result = check_id_number(self.id_type, self.id_number)
        self.id_number = result.normalized
        if not result.valid:
            errors.setdefault("id_number", []).append(result.message)
        else:
            # What derive_from_id does, from the check just made.
            if result.birth_date is not None:
                self.birth_date = result.birth_date
                self.sex = result.sex or self.sex
            self._derived = (self.id_type, self.id_number, self.sex, self.birth_date)
            taken = unique_taken(
                Person, {"id_type": self.id_type, "id_number": self.id_number}, exclude_pk=self.pk
            )
            if taken is None:  # outside an import batch: ask the database
                clash = Person.objects.filter(id_type=self.id_type, id_number=self.id_number)
                taken = clash.exclude(pk=self.pk).exists()
            if self.id_number and taken:
                # The same words whether the holder is in the user's own unit or another one: the answer must
                # not confirm that a person is registered where the user cannot see (issue 7, no oracle).
                errors.setdefault("id_number", []).append(
                    str(
                        _(
                            "无权登记该证件号码的人员：如是本单位人员，请在人员名录中查找后编辑；"
                            "人员调动请由原单位办理离职或联系监管部门"
                        )
                    )
                )
        if self.employer_enterprise_id is None and self.employer_unit_id is None:
            errors.setdefault("employer_enterprise", []).append(
                str(_("请填写所在企业或所在部门（二者必须且只能填写一项）"))
            )
        elif self.employer_enterprise_id is not None and self.employer_unit_id is not None:
            errors.setdefault("employer_unit", []).append(str(_("所在企业和所在部门只能填写一项")))
        elif self.employer_enterprise_id is not None and self.role_category in GOVERNMENT_ROLES:
            errors.setdefault("role_category", []).append(
                str(_("企业人员的类别不能是“%(role)s”") % {"role": self.get_role_category_display()})
            )
        elif self.employer_unit_id is not None:
            if self.role_category in ENTERPRISE_ROLES and self.role_category != RoleCategory.OTHER_WORKER:
                errors.setdefault("role_category", []).append(
                    str(
                        _("部门人员的类别不能是“%(role)s”（三类人员属于企业）")
                        % {"role": self.get_role_category_display()}
                    )
                )
            if self.employer_unit is not None and self.employer_unit.kind in {"group", "enterprise"}:
                errors.setdefault("employer_unit", []).append(
                    str(_("所在部门必须是部门、镇或其他实体单位，不能是单位组或企业端单位"))
                )
        if self.phone:
            self.phone = self.phone.strip().replace(" ", "")
            if not _PHONE.fullmatch(self.phone):
                errors.setdefault("phone", []).append(str(_("联系电话格式不正确（手机号11位，或区号-号码）")))
        if self.years_experience is not None and self.years_experience > 60:
            errors.setdefault("years_experience", []).append(str(_("从业年限不能超过60年")))
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_from_id()
        super().save(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# Certificate
# ---------------------------------------------------------------------------------------------


class CertificateQuerySet(RestrictedQuerySet["Certificate"]):
    """Certificates, with validity filters as of a day."""

    def valid_on(self, day: dt.date) -> CertificateQuerySet:
        """Issued on or before ``day`` and not expired on ``day`` (no expiry = 长期有效)."""
        return self.filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=day), issued_on__lte=day
        )

    def expiring_within(self, day: dt.date, days: int) -> CertificateQuerySet:
        """Still valid on ``day`` and expiring within ``days`` days (inclusive)."""
        return self.filter(expires_on__gte=day, expires_on__lte=day + dt.timedelta(days=days))

    def expired_on(self, day: dt.date) -> CertificateQuerySet:
        """Expired before ``day``."""
        return self.filter(expires_on__lt=day)

    def current(self) -> CertificateQuerySet:
        """Leave out certificates replaced by a later one of the same kind and category (a renewal).

        Reads the stored ``superseded`` flag (see :func:`superseded_q`), kept by ``Certificate.save``/``delete``
        and by ``people.actions.refresh_superseded`` for bulk writes and nightly: a correlated NOT EXISTS per row made every
        expiry count scan the renewals of a million certificates (issue 8).
        """
        return self.filter(superseded=False)

    def of_active_people(self) -> CertificateQuerySet:
        """Certificates of people still on the job."""
        return self.filter(person__is_active=True)


def superseded_q() -> models.Q:
    """Certificates replaced by a later one of the same person, kind and category: another with a later expiry,
    or with none (长期有效). A 长期有效 certificate itself is never superseded. The definition of the flag."""
    later = Certificate.objects.filter(
        person_id=models.OuterRef("person_id"),
        kind=models.OuterRef("kind"),
        category=models.OuterRef("category"),
    ).filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.OuterRef("expires_on")))
    return models.Q(expires_on__isnull=False) & models.Q(models.Exists(later))


if TYPE_CHECKING:
    # The class ``CertificateQuerySet.as_manager()`` builds, named for the annotation of ``objects``.
    CertificateManager = models.Manager.from_queryset(CertificateQuerySet)


class Certificate(BaseModel):
    """A certificate a person holds: kind (and 特种作业 category), number, issuer and validity."""

    person = models.ForeignKey(
        Person, verbose_name=_("持证人"), on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("证书类别"), max_length=30, choices=CertificateKind.choices)
    category = models.CharField(
        _("作业类别"),
        max_length=30,
        choices=SpecialOperationCategory.choices,
        blank=True,
        help_text=_("特种作业证书必填，按特种作业目录选择"),
    )
    operation_item = models.CharField(
        _("操作项目"), max_length=100, blank=True, help_text=_("如：低压电工作业、熔化焊接与热切割作业")
    )
    number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机关"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效"))
    file = models.FileField(_("证书扫描件"), upload_to="people/certificates/%Y/", blank=True)
    superseded = models.BooleanField(
        _("已被换发"),
        default=False,
        editable=False,
        help_text=_("同一人员同类别有更晚到期的证书（由系统维护）"),
    )

    objects: ClassVar[CertificateManager[Certificate]] = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category", "number"],
                name="people_certificate_unique_number",
                violation_error_message=_("同类别的证书编号已登记"),
            ),
        ]
        indexes = [
            models.Index(fields=["expires_on"]),
            models.Index(fields=["person", "kind"]),
            models.Index(fields=["superseded", "expires_on"], name="people_cert_current_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_kind_display()} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, then recompute ``superseded`` for the certificates of this holder (before and after the edit)."""
        from anjian.people.actions import refresh_superseded

        before = None
        if self.pk is not None:
            before = Certificate.objects.filter(pk=self.pk).values_list("person_id", flat=True).first()
        super().save(*args, **kwargs)
        refresh_superseded(pk for pk in (self.person_id, before) if pk is not None)
        self.superseded = Certificate.objects.filter(pk=self.pk).values_list("superseded", flat=True).get()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Delete, then recompute ``superseded`` for the holder's other certificates."""
        from anjian.people.actions import refresh_superseded

        person_id = self.person_id
        result = super().delete(*args, **kwargs)
        refresh_superseded({person_id})
        return result

    def get_absolute_url(self) -> str:
        return f"{self.person.get_absolute_url()}#cert-{self.pk}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Certificates follow their holder."""
        return people_q(scope, action, prefix="person__")

    def audit_related(self) -> models.Model | None:
        """The holder's employer (the 一企一档 page shows certificate changes)."""
        return self.person.audit_related() if self.person_id else None

    def days_left(self, day: dt.date | None = None) -> int | None:
        """Days from ``day`` (today) to expiry; negative once expired, ``None`` for 长期有效."""
        if self.expires_on is None:
            return None
        return (self.expires_on - (day or timezone.localdate())).days

    def status_on(
        self, day: dt.date | None = None, warn_days: int = EXPIRING_WINDOWS[-1]
    ) -> CertificateStatus:
        """Valid, expiring within ``warn_days``, expired, or not yet valid on ``day`` (today)."""
        day = day or timezone.localdate()
        if self.issued_on and self.issued_on > day:
            return CertificateStatus.NOT_YET_VALID
        left = self.days_left(day)
        if left is None:
            return CertificateStatus.VALID
        if left < 0:
            return CertificateStatus.EXPIRED
        return CertificateStatus.EXPIRING if left <= warn_days else CertificateStatus.VALID

    @property
    def status(self) -> CertificateStatus:
        """Status today."""
        return self.status_on()

    def is_valid_on(self, day: dt.date) -> bool:
        """True when the certificate is in force on ``day``."""
        return self.status_on(day) in {CertificateStatus.VALID, CertificateStatus.EXPIRING}

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.number = re.sub(r"\s+", "", self.number or "").upper()
        if not self.number:
            errors.setdefault("number", []).append(str(_("证书编号不能为空")))
        if self.kind == CertificateKind.SPECIAL_OPERATION and not self.category:
            errors.setdefault("category", []).append(str(_("特种作业证书必须填写作业类别")))
        if self.kind != CertificateKind.SPECIAL_OPERATION and self.category:
            errors.setdefault("category", []).append(str(_("只有特种作业证书填写作业类别")))
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            errors.setdefault("expires_on", []).append(str(_("有效期至必须晚于发证日期")))
        if self.issued_on and self.issued_on > timezone.localdate():
            errors.setdefault("issued_on", []).append(str(_("发证日期不能晚于今天")))
        if self.number and not errors.get("category"):
            key = {"kind": self.kind, "category": self.category or "", "number": self.number}
            taken = unique_taken(Certificate, key, exclude_pk=self.pk)
            if taken is None:  # outside an import batch: ask the database
                taken = Certificate.objects.filter(**key).exclude(pk=self.pk).exists()
            if taken:
                errors.setdefault("number", []).append(str(_("同类别的证书编号已登记")))
        try:
            check_uploaded_file(self.file, label=str(_("证书扫描件")))
        except ValidationError as exc:
            errors.setdefault("file", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


class TrainingRecord(BaseModel):
    """One training a person attended: course, kind, hours, date, result and provider."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="trainings"
    )
    course = models.CharField(_("培训课程"), max_length=200)
    kind = models.CharField(
        _("培训类型"), max_length=20, choices=TrainingKind.choices, default=TrainingKind.OTHER
    )
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    date = models.DateField(_("培训日期"))
    result = models.CharField(
        _("考核结果"), max_length=20, choices=TrainingResult.choices, default=TrainingResult.NOT_ASSESSED
    )
    provider = models.CharField(_("培训机构"), max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "date"],
                name="people_training_unique",
                violation_error_message=_("该人员当天的同一课程已登记"),
            ),
        ]
        # The list's order (newest first), so a page of a province's records needs no sort of all of them.
        indexes = [
            models.Index(fields=["kind", "date"]),
            models.Index(fields=["-date", "id"], name="people_training_list"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.course}（{self.date:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return f"{self.person.get_absolute_url()}#training-{self.pk}"

    @classmethod
    def scope_q(cls, scope: Any, action: str = "view") -> models.Q | None:
        """Training records follow their person."""
        return people_q(scope, action, prefix="person__")

    def audit_related(self) -> models.Model | None:
        """The person's employer."""
        return self.person.audit_related() if self.person_id else None

    def get_result_colour(self) -> str:
        return TrainingResult.colour_of(self.result)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.course = (self.course or "").strip()
        if not self.course:
            errors.setdefault("course", []).append(str(_("培训课程不能为空")))
        if self.hours is not None and not (Decimal("0") < Decimal(self.hours) <= Decimal("2000")):
            errors.setdefault("hours", []).append(str(_("学时应大于0且不超过2000")))
        if self.date and self.date > timezone.localdate():
            errors.setdefault("date", []).append(str(_("培训日期不能晚于今天")))
        if self.person_id and self.course and self.date:
            key = {"person": self.person_id, "course": self.course, "date": self.date}
            taken = unique_taken(TrainingRecord, key, exclude_pk=self.pk)
            if taken is None:  # outside an import batch: ask the database
                taken = TrainingRecord.objects.filter(**key).exclude(pk=self.pk).exists()
            if taken:
                errors.setdefault("course", []).append(str(_("该人员当天的同一课程已登记")))
        if errors:
            raise ValidationError(errors)
