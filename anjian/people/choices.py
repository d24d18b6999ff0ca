"""Choice classes of the people register: identity documents, roles, certificates and training."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import ColoredChoices

__all__ = [
    "CertificateKind",
    "CertificateStatus",
    "Education",
    "IdType",
    "RoleCategory",
    "Sex",
    "SpecialOperationCategory",
    "TrainingKind",
    "TrainingResult",
]


class IdType(models.TextChoices):
    """Kind of identity document; a 居民身份证 is checked against GB 11643-1999."""

    RESIDENT = "resident", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    """Sex as printed on the identity document (derived from a resident ID)."""

    MALE = "男", _("男")
    FEMALE = "女", _("女")


class RoleCategory(ColoredChoices):
    """What a person does, as the plan's metrics count them."""

    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员")
    SPECIAL_WORKER = "special_worker", _("特种作业人员")
    OTHER_WORKER = "other_worker", _("其他从业人员")
    ENFORCEMENT = "enforcement", _("监管执法人员")
    LEADER = "leader", _("领导干部")

    __colours__ = {
        "principal": "danger",
        "safety_manager": "warning",
        "special_worker": "primary",
        "other_worker": "secondary",
        "enforcement": "info",
        "leader": "dark",
    }


class Education(models.TextChoices):
    """Highest education (学历)."""

    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("本科")
    COLLEGE = "college", _("大专")
    SECONDARY = "secondary", _("中专及以下")


class CertificateKind(ColoredChoices):
    """Kind of certificate (证书类别)."""

    PRINCIPAL = "principal", _("主要负责人")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员")
    SPECIAL_OPERATION = "special_operation", _("特种作业")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备作业")
    REGISTERED_ENGINEER = "registered_engineer", _("注册安全工程师")
    ENFORCEMENT = "enforcement", _("执法证")
    OTHER = "other", _("其他")

    __colours__ = {
        "principal": "danger",
        "safety_manager": "warning",
        "special_operation": "primary",
        "special_equipment": "info",
        "registered_engineer": "success",
        "enforcement": "dark",
        "other": "secondary",
    }


class SpecialOperationCategory(models.TextChoices):
    """特种作业类别 per the 特种作业目录 (国家安全监管总局令第30号, as amended by 第80号)."""

    ELECTRICAL = "electrical", _("电工作业")
    WELDING = "welding", _("焊接与热切割作业")
    HEIGHT = "height", _("高处作业")
    REFRIGERATION = "refrigeration", _("制冷与空调作业")
    COAL_MINE = "coal_mine", _("煤矿安全作业")
    METAL_MINE = "metal_mine", _("金属非金属矿山安全作业")
    OIL_GAS = "oil_gas", _("石油天然气安全作业")
    METALLURGY = "metallurgy", _("冶金（有色）生产安全作业")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("危险化学品安全作业")
    FIREWORKS = "fireworks", _("烟花爆竹安全作业")
    OTHER = "other", _("安全监管总局认定的其他作业")


class CertificateStatus(ColoredChoices):
    """Validity of a certificate on a given day (computed, never stored)."""

    VALID = "valid", _("有效")
    EXPIRING = "expiring", _("即将到期")
    EXPIRED = "expired", _("已过期")
    NOT_YET_VALID = "not_yet_valid", _("未生效")

    __colours__ = {
        "valid": "success",
        "expiring": "warning",
        "expired": "danger",
        "not_yet_valid": "secondary",
    }


class TrainingKind(models.TextChoices):
    """Kind of training (培训类型)."""

    SPECIAL_TOPIC = "special_topic", _("专题业务培训")
    ROTATION = "rotation", _("轮训")
    THREE_LEVEL = "three_level", _("三级安全教育")
    CONTINUING = "continuing", _("继续教育")
    OTHER = "other", _("其他")


class TrainingResult(ColoredChoices):
    """Outcome of a training's assessment."""

    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")
    NOT_ASSESSED = "not_assessed", _("未考核")

    __colours__ = {"passed": "success", "failed": "danger", "not_assessed": "secondary"}
