"""The plan CLI and import: parse JSON, idempotent import, revised text diff, auto-bound targets."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.plans.choices import TaskRole
from anjian.plans.models import Plan, PlanTask, Target, TaskUnit
from anjian.plans.tests.fixtures import SEED_PLAN


def _run(*args: str) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_parse_cli_prints_parser_json_without_database():
    # given the seed plan; when parsed through the CLI (no db fixture: any query would fail)
    data = json.loads(_run("parse", str(SEED_PLAN), "--json"))
    # then the JSON has the parser's shape with 42 tasks
    assert set(data) >= {"title", "tasks", "warnings"}
    assert len(data["tasks"]) == 42
    first = data["tasks"][0]
    assert first["code"] == "1.1"
    assert first["lead_units"] == ["党政综合办公室"]
    assert first["cooperating_units"] == ["安委会各成员单位"]
    task_23 = next(t for t in data["tasks"] if t["code"] == "2.3")
    assert {t["indicator"] for t in task_23["targets"]} >= {
        "规模以上企业安全生产标准化达标率",
        "小微企业规范化达标率",
    }
    assert any(w["code"] == "conflicting_targets" for w in data["warnings"])


@pytest.mark.django_db
def test_import_seed_plan_stores_tasks_units_targets_and_warnings():
    # when the seed plan is imported
    out = _run("import", str(SEED_PLAN))
    # then 42 tasks are stored with groups kept as the group unit and warnings on the plan
    plan = Plan.objects.get()
    assert "已导入" in out
    assert plan.code == "safety-plan-2021-2025"
    assert (plan.period_start.isoformat(), plan.period_end.isoformat()) == ("2021-01-01", "2025-12-31")
    assert plan.tasks.count() == 42
    t11 = plan.tasks.get(code="1.1")
    assert [u.name for u in t11.lead_units] == ["党政综合办公室"]
    assert [u.name for u in t11.cooperating_units] == ["安委会各成员单位"]
    assert {w["code"] for w in plan.warnings} >= {"conflicting_targets", "traditional_chars"}
    # and known indicators are bound to their metrics
    bound = dict(Target.objects.filter(task__code="2.3").values_list("indicator", "metric_key"))
    assert bound["规模以上企业安全生产标准化达标率"] == "standardization.above_scale_rate"
    assert bound["小微企业规范化达标率"] == "standardization.small_rate"
    assert bound["二级安全标准化企业数量"] == "standardization.level2_added"
    keys_33 = set(Target.objects.filter(task__code="3.3").values_list("metric_key", flat=True))
    assert keys_33 == {"people.enforcement_qualified_rate", "people.special_training_coverage"}
    assert Target.objects.get(task__code="7.3").metric_key == "people.three_types_certified_rate"
    assert AuditEntry.objects.filter(event_type=AuditEvent.PLAN_IMPORTED).count() == 1


@pytest.mark.django_db
def test_second_import_of_same_text_changes_nothing():
    # given the seed plan imported once
    _run("import", str(SEED_PLAN))
    counts = (
        PlanTask.objects.count(),
        TaskUnit.objects.count(),
        Target.objects.count(),
        AuditEntry.objects.count(),
    )
    stamp = Plan.objects.get().updated_at
    # when it is imported again
    out = _run("import", str(SEED_PLAN), "--yes")
    # then nothing changes and the command says so
    assert "无需导入" in out
    assert (
        PlanTask.objects.count(),
        TaskUnit.objects.count(),
        Target.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert Plan.objects.get().updated_at == stamp


@pytest.mark.django_db
def test_revised_text_shows_diff_and_dry_run_writes_nothing(tmp_path, small_plan_text, plan_importer):
    # given the small plan imported
    plan_importer(small_plan_text, code="small")
    revised = (
        small_plan_text.replace("严格执法检查", "严格规范执法检查")
        .replace("配合单位：市监局、两镇", "配合单位：市监局")
        .replace("达标率为100%", "达标率为95%")
        .replace(
            "\n二、提升基础保障能力",
            "\n（三）强化宣传教育\n\n开展安全宣传。\n\n责任单位：党群工作部\n\n二、提升基础保障能力",
        )
    )
    path = tmp_path / "small.txt"
    path.write_text(revised, encoding="utf-8")
    audits = AuditEntry.objects.count()
    # when imported with --dry-run
    out = _run("import", str(path), "--code", "small", "--dry-run")
    # then the diff lists the added task, the title, unit and target changes, and nothing is written
    assert "+ 新增任务 1.3 强化宣传教育" in out
    assert "~ 修改任务 1.1" in out and "配合单位：−两镇" in out
    assert "指标：+规模以上企业安全生产标准化达标率 不低于95%" in out
    assert "标题：“严格执法检查” → “严格规范执法检查”" in out
    assert PlanTask.objects.filter(code="1.3").count() == 0
    assert AuditEntry.objects.count() == audits
    # when applied with --yes
    out = _run("import", str(path), "--code", "small", "--yes")
    # then the changes are stored, bindings kept, and one PLAN_REVISED row is written
    assert "已修订" in out
    t11 = PlanTask.objects.get(code="1.1")
    assert [u.name for u in t11.cooperating_units] == ["市场监督管理局"]
    target = t11.targets.get()
    assert str(target.value.normalize()) == "95" and target.metric_key == "standardization.above_scale_rate"
    assert PlanTask.objects.get(code="1.2").title == "严格规范执法检查"
    assert [u.name for u in PlanTask.objects.get(code="1.3").responsible_units] == ["党群工作部"]
    revised_rows = AuditEntry.objects.filter(event_type=AuditEvent.PLAN_REVISED)
    assert revised_rows.count() == 1
    assert revised_rows.get().after["diff"]["added"] == ["1.3"]
    assert AuditEntry.objects.count() == audits + 1


@pytest.mark.django_db
def test_revised_text_without_yes_asks_and_cancels(tmp_path, small_plan_text, plan_importer, monkeypatch):
    # given an imported plan and a text with a removed task
    plan_importer(small_plan_text, code="small")
    cut = small_plan_text.index("（二）严格执法检查")
    end = small_plan_text.index("二、提升基础保障能力")
    path = tmp_path / "small.txt"
    path.write_text(small_plan_text[:cut] + small_plan_text[end:], encoding="utf-8")
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    # when imported without --yes and the answer is no
    out = _run("import", str(path), "--code", "small")
    # then the diff is shown and nothing changes
    assert "- 删除任务 1.2 严格执法检查" in out and "已取消" in out
    assert PlanTask.objects.filter(code="1.2").exists()


@pytest.mark.django_db
def test_import_resolves_groups_as_group_units(small_plan):
    # given the small plan; then "两镇" and "安委会各成员单位" are stored as the group units
    t11 = small_plan.tasks.get(code="1.1")
    groups = [tu.unit for tu in t11.units.filter(role=TaskRole.COOPERATING)]
    assert [u.name for u in groups] == ["市场监督管理局", "两镇"]
    assert groups[1].is_group


@pytest.mark.django_db
def test_same_text_under_another_file_name_is_the_same_plan(tmp_path, seed_plan_text):
    # given the seed plan imported
    _run("import", str(SEED_PLAN))
    copy = tmp_path / "规划副本.txt"
    copy.write_text(seed_plan_text, encoding="utf-8")
    # when the same text is imported from another file name; then no second plan is made
    out = _run("import", str(copy))
    assert "无需导入" in out
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_cli_reports_text_output(task_of, report_factory, user_factory):
    report_factory(task_of("1.1"), "应急管理局", 2023, 2, text="完成专项检查。")
    user_factory(org="应急管理局", username="yj")
    out = _run("reports", "--user", "yj")
    assert "1.1  2023Q2  应急管理局  推进中  完成专项检查。" in out and "共1份报告" in out
