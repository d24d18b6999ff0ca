"""Thresholds and mappings of the people register, each with the reason it has its value."""

from __future__ import annotations

from anjian.people.choices import CertificateKind, RoleCategory

__all__ = [
    "ENFORCEMENT_MIN_YEARS",
    "ENTERPRISE_ROLES",
    "EXPIRING_WINDOWS",
    "GOVERNMENT_ROLES",
    "ROLE_CERTIFICATE_KINDS",
    "THREE_TYPES",
]

#: The plan's 三类人员 (主要负责人、安全生产管理人员、特种作业人员), who must hold a valid certificate
#: (规划 “确保企业‘三类人员’持证上岗率 100%”).
THREE_TYPES: tuple[str, ...] = (
    RoleCategory.PRINCIPAL,
    RoleCategory.SAFETY_MANAGER,
    RoleCategory.SPECIAL_WORKER,
)

#: Roles of an enterprise's staff.
ENTERPRISE_ROLES: tuple[str, ...] = (*THREE_TYPES, RoleCategory.OTHER_WORKER)

#: Roles of a department's staff (监管执法人员、领导干部); other roles are allowed there too.
GOVERNMENT_ROLES: tuple[str, ...] = (RoleCategory.ENFORCEMENT, RoleCategory.LEADER)

#: Which certificate kinds make a person of each 三类人员 role "持证": the 安全生产知识和管理能力考核合格证
#: of the matching kind for principals and safety managers; a 特种作业操作证 — or, for operators of
#: boilers, cranes and other special equipment, a 特种设备作业人员证 — for special-operations workers.
ROLE_CERTIFICATE_KINDS: dict[str, tuple[str, ...]] = {
    RoleCategory.PRINCIPAL: (CertificateKind.PRINCIPAL,),
    RoleCategory.SAFETY_MANAGER: (CertificateKind.SAFETY_MANAGER,),
    RoleCategory.SPECIAL_WORKER: (CertificateKind.SPECIAL_OPERATION, CertificateKind.SPECIAL_EQUIPMENT),
}

#: 监管执法人员 count as “具有安全生产相关专业学历和实践经验” (plan target ≥ 75%) when they studied a
#: safety-related major and have at least this many years of practice. The plan gives no number; three
#: years is the experience that 《注册安全工程师职业资格制度规定》 asks of a bachelor for the 中级 exam,
#: the closest national yardstick for "practical safety experience".
ENFORCEMENT_MIN_YEARS = 3

#: Windows (days) of the "expiring certificates" lists; each list includes the shorter ones.
EXPIRING_WINDOWS: tuple[int, ...] = (30, 60, 90)
