"""The sidebar: modules and their pages. An entry whose URL name is not installed is not shown."""

from __future__ import annotations

from dataclasses import dataclass

from anjian.orgs.choices import GOVERNMENT_ROLES, ZONE_WIDE_ROLES

__all__ = ["MENU", "MenuItem", "MenuSection", "menu", "register_section"]


@dataclass(frozen=True)
class MenuItem:
    """One link; ``roles`` empty means every logged-in user."""

    label: str
    url_name: str
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MenuSection:
    """A module in the sidebar."""

    label: str
    icon: str
    items: tuple[MenuItem, ...]


_GOV = GOVERNMENT_ROLES

MENU: tuple[MenuSection, ...] = (
    MenuSection("工作台", "🏠", (MenuItem("我的待办", "home"), MenuItem("消息通知", "core:inbox"))),
    MenuSection(
        "规划任务",
        "📋",
        (
            MenuItem("规划任务", "plans:task_list", _GOV),
            MenuItem("本单位任务", "plans:my_tasks", _GOV),
            MenuItem("督办通知", "plans:notice_list", _GOV),
            MenuItem("指标进度", "plans:target_list", _GOV),
            MenuItem("年度考核", "assessment:scheme_list", _GOV),
        ),
    ),
    MenuSection(
        "企业档案",
        "🏭",
        (
            MenuItem("企业名录", "enterprises:enterprise_list"),
            MenuItem("网格", "enterprises:grid_list"),
            MenuItem("许可证", "enterprises:licence_list"),
            MenuItem("标准化", "enterprises:standardization_list"),
            MenuItem("监管部门规则", "enterprises:supervision_rules", _GOV),
        ),
    ),
    MenuSection(
        "人员证书",
        "🪪",
        (
            MenuItem("人员", "people:person_list"),
            MenuItem("证书", "people:certificate_list"),
            MenuItem(
                "到期提醒",
                "people:expiring",
            ),
            MenuItem("培训记录", "people:training_list"),
        ),
    ),
    MenuSection(
        "系统",
        "⚙️",
        (
            MenuItem("单位", "orgs:unit_list"),
            MenuItem("审计日志", "core:audit_list", ZONE_WIDE_ROLES),
            MenuItem("流程定义", "core:workflows", _GOV),
            MenuItem("接口文档", "api-docs"),
        ),
    ),
)


#: Sections that modules register from their ``AppConfig.ready`` (key → (order, section)).
_REGISTERED: dict[str, tuple[int, MenuSection]] = {}


def register_section(key: str, section: MenuSection, *, order: int = 50) -> MenuSection:
    """Add (or replace) a module's sidebar section; built-in sections sit at orders 0–40 and 90 (系统)."""
    _REGISTERED[key] = (order, section)
    return section


def menu() -> tuple[MenuSection, ...]:
    """The whole sidebar: built-in sections with the registered ones placed by their order."""
    builtin = [(i * 10, s) for i, s in enumerate(MENU[:-1])] + [(90, MENU[-1])]
    return tuple(s for _o, s in sorted(builtin + list(_REGISTERED.values()), key=lambda pair: pair[0]))
