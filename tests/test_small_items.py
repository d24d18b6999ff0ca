"""The small items of issue 7: demo error pages, admin branding and registry, greeting, audited admin only."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin


@pytest.mark.django_db
def test_demo_serves_without_django_debug_pages(monkeypatch: Any, user_factory: Any) -> None:
    from django.core.management import call_command

    from anjian.core.management.commands import demo

    user_factory(role="admin", username="admin")  # demo data "exists": no generation
    seen: dict[str, Any] = {}

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "runserver":
            seen["debug"] = settings.DEBUG

    monkeypatch.setattr(demo, "call_command", fake_call_command)
    monkeypatch.setattr(settings, "DEBUG", True)
    call_command("demo", "--no-input")
    assert seen == {"debug": False}
    # and the scheduled-jobs thread it started has stopped (it used to close its connection after the test ended)
    import threading

    assert not [t for t in threading.enumerate() if t.name == "anjian-worker" and t.is_alive()]


@pytest.mark.django_db
def test_admin_is_branded_and_greets_with_the_whole_name(user_factory: Any, client: Any) -> None:
    user = user_factory(role="admin", username="root", name="管理员")
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "Django" not in html.split("<body")[1]
    assert "安监平台" in html
    assert "管理员" in html and "欢迎，理员" not in html.replace(" ", "")


def test_admin_lists_the_registry_and_only_audited_models() -> None:
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import TokenProxy

    from anjian.core.admin import AuditedAdminMixin
    from anjian.enterprises.models import Enterprise, Licence

    assert admin.site.is_registered(Enterprise) and admin.site.is_registered(Licence)
    assert not admin.site.is_registered(Group) and not admin.site.is_registered(TokenProxy)
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdminMixin)
        and any(
            check(None)
            for check in (
                model_admin.has_add_permission,
                model_admin.has_change_permission,
                model_admin.has_delete_permission,
            )
        )
    ]
    assert not unaudited, f"admin models that write no audit rows: {unaudited}"


@pytest.mark.django_db
def test_town_user_badge_says_town_staff(user_factory: Any, client: Any) -> None:
    user = user_factory(role="dept", org="腾格里镇", username="town")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "镇街人员" in html and "部门人员" not in html


def test_one_label_for_excel_export() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "anjian"
    offenders = [str(p) for p in root.rglob("*.html") if "导出Excel" in p.read_text(encoding="utf-8")]
    assert not offenders, offenders


def test_no_template_draws_with_emoji() -> None:
    """Icons are images or CSS, never emoji: without a colour-emoji font (headless chromium, many office PCs)
    an emoji is a missing-glyph box."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "anjian"
    templates = [p for p in root.rglob("*.html") if "static" not in p.parts]
    assert len(templates) > 50
    emoji = re.compile("[\U0001f000-\U0001faff]")
    offenders = [str(p.relative_to(root)) for p in templates if emoji.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_report_form_asks_for_the_status_instead_of_defaulting_to_not_started() -> None:
    from anjian.plans.forms import ReportForm

    form = ReportForm(data={"period": "2026-1", "text": "进展"}, periods=[("2026-1", "2026年第1季度")])
    assert form.fields["status"].choices[0][0] == ""
    assert not form.is_valid() and "status" in form.errors


@pytest.mark.django_db
def test_enterprise_to_dos_are_worded_for_the_enterprise(world: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from anjian.enterprises.models import Licence
    from anjian.enterprises.todos import enterprise_todos

    Licence.objects.filter(pk=world.a.licence.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=3)
    )
    own = " ".join(item.detail for item in enterprise_todos(world.a.ent_user))
    assert "许可证已过有效期" in own and "督促" not in own
    supervising = " ".join(item.detail for item in enterprise_todos(world.a.dept_user))
    assert "督促企业" in supervising


@pytest.mark.django_db
def test_an_admin_change_carries_its_reason_into_the_audit_row(user_factory: Any, client: Any) -> None:
    from anjian.core.models import AuditEntry
    from anjian.orgs.models import OrgUnit

    admin_user = user_factory(role="admin", org=None)
    client.force_login(admin_user)
    unit = OrgUnit.objects.get(name="应急管理局")
    page = client.get(f"/admin/orgs/orgunit/{unit.pk}/change/").content.decode()
    assert 'name="audit_reason"' in page and "变更原因" in page
    form = {
        "code": unit.code,
        "name": unit.name,
        "full_name": "应急管理局（后台改名）",
        "kind": unit.kind,
        "contact": "",
        "is_active": "on",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "audit_reason": "依据区编办文件更正全称",
    }
    response = client.post(f"/admin/orgs/orgunit/{unit.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:1500]
    row = AuditEntry.objects.filter(object_id=str(unit.pk), object_type__model="orgunit").latest("pk")
    assert row.reason == "依据区编办文件更正全称" and row.user == admin_user


@pytest.mark.django_db
def test_every_admin_add_and_change_page_renders_with_the_reason(user_factory: Any, client: Any) -> None:
    from django.contrib import admin as django_admin
    from django.urls import reverse

    client.force_login(user_factory(role="admin", org=None))
    failures = []
    for model in django_admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        response = client.get(url)
        if response.status_code == 403:
            continue
        if response.status_code != 200 or 'name="audit_reason"' not in response.content.decode():
            failures.append(f"{url}: {response.status_code}")
    assert not failures, failures


def test_pages_do_not_send_users_to_the_command_line() -> None:
    """A safety officer works in the browser: no page tells them to run an ``anjian …`` command."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "anjian"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.html")
        if "static" not in p.parts and "<code>anjian " in p.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


def test_browser_tests_assert_what_the_page_shows_by_waiting_for_it() -> None:
    """``locator.is_visible()`` and ``page.wait_for_load_state()`` answer at once, about the page as it is: after a
    click that navigates they read the old page (a CI run failed on a heading that was still being loaded). The
    browser tests use Playwright's web-first ``expect(...)``, which retries, and wait for a submitted form's
    navigation (``page.expect_navigation()`` / ``page.wait_for_url``) before reading the database."""
    from pathlib import Path

    root = Path(__file__).resolve().parent / "browser"
    sources = {p.name: p.read_text(encoding="utf-8") for p in root.glob("test_*.py")}
    assert len(sources) >= 10
    offenders = [
        name for name, text in sources.items() if ".is_visible()" in text or "wait_for_load_state()" in text
    ]
    assert not offenders, offenders
