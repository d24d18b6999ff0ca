"""Settings of the 重大危险源 register, each overridable in Django settings (``MAJORHAZARDS_*``).

Check intervals follow 应急管理部《危险化学品企业重大危险源安全包保责任制办法（试行）》(应急厅〔2021〕12号):
- 技术负责人: 第五条（五）“每季度至少组织对重大危险源进行一次针对性安全风险隐患排查” → 92 days;
- 操作负责人: 第六条 “每周至少组织一次重大危险源安全风险隐患排查” → 7 days;
- 主要负责人: 第四条（五）“督促、检查重大危险源安全生产工作” sets no number; the default here is one check
  per quarter (92 days), the same as the technical level, and a zone can set its own.
The safety assessment of a 重大危险源 is repeated at least every three years
(《危险化学品重大危险源监督管理暂行规定》原国家安全监管总局令第40号 第十一条).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

__all__ = ["assessment_max_years", "check_interval_days", "required_certificates"]

DEFAULT_CHECK_INTERVAL_DAYS: dict[str, int] = {"principal": 92, "technical": 92, "operational": 7}
#: Certificate kinds (``people.CertificateKind``) of which a 包保 person must hold a valid one, by level.
DEFAULT_REQUIRED_CERTIFICATES: dict[str, tuple[str, ...]] = {
    "principal": ("principal",),
    "technical": ("safety_manager", "registered_engineer"),
    "operational": (),
}
DEFAULT_ASSESSMENT_MAX_YEARS = 3


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def check_interval_days(level: str) -> int:
    """Days allowed between two 包保 checks of ``level`` (``MAJORHAZARDS_CHECK_INTERVAL_DAYS``)."""
    table = {**DEFAULT_CHECK_INTERVAL_DAYS, **_setting("MAJORHAZARDS_CHECK_INTERVAL_DAYS", {})}
    return int(table[level])


def required_certificates(level: str) -> tuple[str, ...]:
    """Certificate kinds a person of ``level`` must hold (``MAJORHAZARDS_REQUIRED_CERTIFICATES``)."""
    table = {**DEFAULT_REQUIRED_CERTIFICATES, **_setting("MAJORHAZARDS_REQUIRED_CERTIFICATES", {})}
    return tuple(table.get(level, ()))


def assessment_max_years() -> int:
    """Years a safety-assessment report stays current (``MAJORHAZARDS_ASSESSMENT_MAX_YEARS``)."""
    return int(_setting("MAJORHAZARDS_ASSESSMENT_MAX_YEARS", DEFAULT_ASSESSMENT_MAX_YEARS))
