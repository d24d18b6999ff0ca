"""Demo logins, one per role, in the units that the plan's tasks name."""

from __future__ import annotations

from anjian.demo.context import DemoContext
from anjian.orgs.actions import do_create_user
from anjian.orgs.choices import Role
from anjian.orgs.models import OrgUnit

DEMO_PASSWORD = "anjian-demo-2025"

USERS = [
    ("admin", Role.ADMIN, None, "管理员", "系统管理员"),
    ("anweiban", Role.COMMITTEE, "安委会办公室", "王建国", "安委办：查看全区，下发督办，年度考核"),
    ("yingji", Role.DEPARTMENT, "应急管理局", "李明", "应急管理局：牵头任务、危化企业监管"),
    ("shijian", Role.DEPARTMENT, "市场监督管理局", "赵敏", "市场监督管理局：特种设备"),
    ("zhujian", Role.DEPARTMENT, "住建交通局", "陈刚", "住建交通局：交通、建筑施工"),
    ("gongke", Role.DEPARTMENT, "工业和科技局", "刘洋", "工业和科技局：配合单位"),
    ("tengzhen", Role.DEPARTMENT, "腾格里镇", "孙丽", "腾格里镇：属地管理"),
    ("zhihui", Role.COMMANDER, "示范区综合应急救援大队", "周勇", "应急指挥"),
]


def build(ctx: DemoContext) -> None:
    """Create the demo logins and list them in ``ctx.logins``."""
    for username, role, org_name, name, description in USERS:
        org = OrgUnit.objects.get(name=org_name) if org_name else None
        do_create_user(
            username,
            org=org,
            role=role,
            password=DEMO_PASSWORD,
            name=name,
            acting_user=None,
            reason="演示数据",
        )
        ctx.logins.append((username, DEMO_PASSWORD, description))
