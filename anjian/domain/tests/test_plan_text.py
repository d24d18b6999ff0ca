"""Tests for the plan parser: the seed plan end to end, and small synthetic texts for each rule."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from anjian.domain.org_names import UnitEntry, UnitRegistry
from anjian.domain.plan_text import (
    ParsedPlan,
    ParsedTarget,
    ParsedTask,
    chinese_number,
    chinese_numeral,
    parse_plan,
    plan_to_json,
    simplify,
)
from anjian.orgs.seed import registry as seed_registry

# The package ships the seed plan once, in anjian/plans/data (read as a file; no app import).
SEED = Path(__file__).resolve().parents[2] / "plans" / "data" / "safety-plan-2021-2025.txt"
END_2025 = date(2025, 12, 31)


def small_registry() -> UnitRegistry:
    """A registry with a few units, an alias and a group."""
    return UnitRegistry(
        [
            UnitEntry("应急管理局", aliases=("应急局",)),
            UnitEntry("住建交通局"),
            UnitEntry("发改统计局"),
            UnitEntry("市场监督管理局", aliases=("市监局",)),
            UnitEntry("两镇", is_group=True, members=("腾格里镇", "孛井滩镇")),
        ]
    )


def parse(text: str) -> ParsedPlan:
    """Parse a synthetic text against the small registry."""
    return parse_plan(text, small_registry())


def task(plan: ParsedPlan, code: str) -> ParsedTask:
    """Return the task with ``code``."""
    return next(t for t in plan.tasks if t.code == code)


def codes(plan: ParsedPlan, warning_code: str) -> list[tuple[str, ...]]:
    """Return the task tuples of the warnings with ``warning_code``."""
    return [w.tasks for w in plan.warnings if w.code == warning_code]


def target(plan: ParsedPlan, code: str, indicator: str) -> ParsedTarget:
    """Return the target of task ``code`` named ``indicator``."""
    return next(t for t in task(plan, code).targets if t.indicator == indicator)


# --- the seed plan ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> ParsedPlan:
    # given the zone's plan and the seed unit registry / when it is parsed
    return parse_plan(SEED.read_text(encoding="utf-8"), seed_registry())


def test_seed_title_and_preamble(seed: ParsedPlan) -> None:
    assert seed.title == "阿拉善盟孛井滩生态移民示范区 安全生产“十四五”规划任务分解清单"
    assert seed.preamble.startswith("以习近平新时代中国特色社会主义思想为指导")
    assert "\n" not in seed.preamble


def test_seed_has_42_tasks_in_order(seed: ParsedPlan) -> None:
    sections = {1: 4, 2: 3, 3: 3, 4: 16, 5: 3, 6: 3, 7: 4, 8: 6}
    expected = [f"{chapter}.{n}" for chapter, count in sections.items() for n in range(1, count + 1)]
    assert [t.code for t in seed.tasks] == expected
    assert len(seed.tasks) == 42


def test_seed_headings(seed: ParsedPlan) -> None:
    t = task(seed, "4.14")  # "(十四) 加油加气站…" with half-width brackets
    assert (t.chapter, t.section, t.title) == ("四", 14, "加油加气站、充电站的专项整治")
    assert t.chapter_title == "突出重点行业和领域，加大安全监管力度"
    assert task(seed, "8.2").title == "化工（危险化学品）企业“智能化二道门”建设项目"
    assert task(seed, "8.6").chapter_title == "重点工程"


def test_seed_units_all_resolve(seed: ParsedPlan) -> None:
    assert codes(seed, "unknown_unit") == []
    assert all(t.unresolved_units == () for t in seed.tasks)
    assert codes(seed, "no_unit") == []


def test_seed_unit_aliases_and_groups(seed: ParsedPlan) -> None:
    assert "市场监督管理局" in task(seed, "2.2").cooperating_units  # written "市监局"
    assert task(seed, "1.1").cooperating_units == ("安委会各成员单位",)
    assert task(seed, "4.10").cooperating_units == ("两镇",)
    assert task(seed, "4.13").cooperating_units == ("腾格里镇",)  # written "腾镇"
    assert task(seed, "4.13").lead_units == ("社会事务局（文旅办）",)


def test_seed_responsible_only_and_several_leads(seed: ParsedPlan) -> None:
    t = task(seed, "4.4")
    assert t.responsible_units == ("示范区综合应急救援大队",)
    assert t.lead_units == () and t.cooperating_units == ()
    assert task(seed, "4.14").responsible_units == ("工业和科技局", "住建交通局", "应急管理局")
    assert task(seed, "3.3").lead_units == ("党群工作部", "人力资源和社会保障局", "应急管理局")


def test_seed_page_breaks_are_repaired(seed: ParsedPlan) -> None:
    assert "内蒙古自治区党政领导干部安全生产责任制实施细则" in task(seed, "1.1").text
    assert "\n" not in task(seed, "1.1").text
    assert "规模以上企业安全生产标准化达标率为100%" in task(seed, "2.3").text.replace(" ", "")
    assert "积极参与二级、一级安全生产标准化的创建" in task(seed, "8.5").text  # split after "、"
    assert "持续改进应急准备和现场处置工作。" in task(seed, "6.2").text
    # separate paragraphs that end a sentence stay separate
    assert task(seed, "4.2").text.count("\n") == 2


def test_seed_unit_label_in_body_is_not_a_unit_line(seed: ParsedPlan) -> None:
    t = task(seed, "1.3")
    assert "同为安全生产第一配合单位" in t.text
    assert t.lead_units == ("应急管理局",)
    [warning] = [w for w in seed.warnings if w.code == "suspicious_unit_wording"]
    assert warning.tasks == ("1.3",)
    assert "第一配合单位" in warning.message and "第一责任人" in warning.message


def test_seed_standardisation_targets(seed: ParsedPlan) -> None:
    for code in ("2.3", "8.5"):
        rate = target(seed, code, "规模以上企业安全生产标准化达标率")
        assert (rate.comparator, rate.value, rate.unit, rate.deadline) == (">=", 100, "%", END_2025)
        assert rate.source.startswith("力争至 2025 年底")
        more = target(seed, code, "二级安全标准化企业数量")
        assert (more.comparator, more.value, more.unit, more.deadline) == ("+=", 2, "家", END_2025)
    assert target(seed, "2.3", "小微企业规范化达标率").value == 80
    assert target(seed, "8.5", "小微企业规范化达标率").value == 60


def test_seed_conflicting_targets(seed: ParsedPlan) -> None:
    [warning] = [w for w in seed.warnings if w.code == "conflicting_targets"]
    assert warning.tasks == ("2.3", "8.5")
    assert "小微企业规范化达标率" in warning.message
    assert "80%" in warning.message and "60%" in warning.message


def test_seed_enforcement_staff_targets(seed: ParsedPlan) -> None:
    share, training = task(seed, "3.3").targets
    assert share.indicator == "具有安全生产相关专业学历和实践经验安全生产监管执法人员占在职人员比例"
    assert (share.comparator, share.value, share.unit, share.deadline) == (">=", 75, "%", END_2025)
    assert (training.indicator, training.comparator, training.value) == ("专题业务培训覆盖率", ">=", 100)
    assert training.deadline == END_2025


def test_seed_targets_without_deadline(seed: ParsedPlan) -> None:
    indicators = [t.indicator for t in task(seed, "4.8").targets]
    assert indicators == ["企业产生的属性不明固体废物鉴别鉴定率", "危险废物处理处置项目安全风险评估论证率"]
    assert all(t.deadline is None and t.value == 100 for t in task(seed, "4.8").targets)
    [equipment] = task(seed, "5.1").targets
    assert equipment.indicator.endswith("自动化系统装备率和有效投用率")
    [licensed] = task(seed, "7.3").targets
    assert (licensed.indicator, licensed.value, licensed.deadline) == ("企业三类人员持证上岗率", 100, None)
    assert codes(seed, "target_without_deadline") == [("4.8",), ("5.1",), ("7.3",)]


def test_seed_engineering_rules_are_not_targets(seed: ParsedPlan) -> None:
    # 8.6: hydrant spacing 120 m, radius 150 m, roads over 60 m, 6 h of water; 4.6: 4.5 t lorries
    assert task(seed, "8.6").targets == ()
    assert task(seed, "4.6").targets == ()
    with_targets = {t.code for t in seed.tasks if t.targets}
    assert with_targets == {"2.3", "3.3", "4.8", "5.1", "7.3", "8.5"}


def test_seed_traditional_characters(seed: ParsedPlan) -> None:
    [warning] = [w for w in seed.warnings if w.code == "traditional_chars"]
    assert warning.tasks == ("7.3",)
    assert "員" in warning.message and "员" in warning.message
    assert "安全生产管理人員" in task(seed, "7.3").text  # the text stays as written


def test_seed_warnings(seed: ParsedPlan) -> None:
    assert [(w.code, w.tasks) for w in seed.warnings] == [
        ("conflicting_targets", ("2.3", "8.5")),
        ("suspicious_unit_wording", ("1.3",)),
        ("target_without_deadline", ("4.8",)),
        ("target_without_deadline", ("5.1",)),
        ("target_without_deadline", ("7.3",)),
        ("traditional_chars", ("7.3",)),
    ]


def test_seed_json_shape(seed: ParsedPlan) -> None:
    data = plan_to_json(seed)
    assert list(data) == ["title", "tasks", "warnings"]
    t = next(t for t in data["tasks"] if t["code"] == "2.3")
    assert list(t) == [
        "code",
        "chapter",
        "title",
        "text",
        "lead_units",
        "cooperating_units",
        "responsible_units",
        "targets",
    ]
    assert t["chapter"] == "二"
    assert t["targets"][0] == {
        "indicator": "规模以上企业安全生产标准化达标率",
        "comparator": ">=",
        "value": 100,
        "unit": "%",
        "deadline": "2025-12-31",
    }
    assert isinstance(t["targets"][0]["value"], int)
    assert {"code": "conflicting_targets", "tasks": ["2.3", "8.5"]}.items() <= data["warnings"][0].items()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_seed_is_deterministic(seed: ParsedPlan) -> None:
    again = parse_plan(SEED.read_text(encoding="utf-8"), seed_registry())
    assert again == seed
    assert plan_to_json(again) == plan_to_json(seed)


# --- synthetic texts -------------------------------------------------------------------------------

TWO_TASKS = """规划任务分解清单

一、第一章

（一）第一项

做好第一项工作。

牵头单位：应急管理局

配合单位：住建交通局

（二）第二项

做好第二项工作。

责任单位：住建交通局
"""


def test_minimal_plan() -> None:
    plan = parse(TWO_TASKS)
    assert plan.title == "规划任务分解清单"
    assert plan.preamble == ""
    first, second = plan.tasks
    assert (first.code, first.chapter, first.chapter_title, first.title) == ("1.1", "一", "第一章", "第一项")
    assert first.text == "做好第一项工作。"
    assert (first.lead_units, first.cooperating_units, first.responsible_units) == (
        ("应急管理局",),
        ("住建交通局",),
        (),
    )
    assert (second.lead_units, second.responsible_units) == ((), ("住建交通局",))
    assert plan.warnings == ()


@pytest.mark.parametrize("heading", ["(十四) 加油站", "（十四）加油站", "( 十四 )加油站", "(十四)、加油站"])
def test_section_heading_brackets(heading: str) -> None:
    sections = "\n".join(f"（{chinese_numeral(n)}）第{n}项\n\n责任单位：应急管理局" for n in range(1, 14))
    plan = parse(f"一、章\n\n{sections}\n\n{heading}\n\n正文。\n\n责任单位：应急管理局")
    last = plan.tasks[-1]
    assert (last.code, last.section, last.title, last.text) == ("1.14", 14, "加油站", "正文。")
    assert codes(plan, "numbering") == []


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("十四", 14),
        ("十九", 19),
        ("二十", 20),
        ("二十三", 23),
        ("九十九", 99),
        ("一百", 100),
    ],
)
def test_chinese_numbers(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value
    if value < 100:
        assert chinese_numeral(value) == numeral


@pytest.mark.parametrize("text", ["", "十a", "1", "零"])
def test_not_chinese_numbers(text: str) -> None:
    assert chinese_number(text) is None


def test_twenty_sections() -> None:
    sections = "\n".join(f"({chinese_numeral(n)}) 第{n}项\n责任单位：应急局" for n in range(1, 21))
    plan = parse(f"一、章\n{sections}")
    assert [t.code for t in plan.tasks] == [f"1.{n}" for n in range(1, 21)]
    assert plan.tasks[-1].responsible_units == ("应急管理局",)


def test_page_break_joins_paragraph_and_unit_list() -> None:
    plan = parse("""一、章

（一）项

落实《内蒙古自治区党政领导干部安全生产

责任制实施细则》，完善责任体系。到 2025 年，示范区规模以上企业安全生产标准化达标率为

100%。

- 3 -

另起一段。

牵头单位：应急管理局

配合单位：住建交

通局、发改统计局
""")
    t = plan.tasks[0]
    assert t.text == (
        "落实《内蒙古自治区党政领导干部安全生产责任制实施细则》，完善责任体系。到 2025 年，"
        "示范区规模以上企业安全生产标准化达标率为100%。\n另起一段。"
    )
    assert t.cooperating_units == ("住建交通局", "发改统计局")
    [rate] = t.targets
    assert (rate.indicator, rate.value, rate.deadline) == ("规模以上企业安全生产标准化达标率", 100, END_2025)
    assert plan.warnings == ()


def test_heading_after_unfinished_paragraph_is_not_joined() -> None:
    plan = parse("一、章\n（一）项\n一段没有句号的文字\n（二）下一项\n责任单位：应急局\n")
    assert [t.title for t in plan.tasks] == ["项", "下一项"]
    assert plan.tasks[0].text == "一段没有句号的文字"


def test_body_after_unit_line_is_not_read_as_units() -> None:
    plan = parse("一、章\n（一）项\n正文。\n牵头单位：应急管理局\n补充说明，见附件。\n")
    t = plan.tasks[0]
    assert t.lead_units == ("应急管理局",)
    assert t.text == "正文。\n补充说明，见附件。"


def test_half_width_colon_and_department_label() -> None:
    plan = parse("一、章\n（一）项\n正文。\n牵头部门:应急局\n配合单位 ： 市监局，两镇\n")
    t = plan.tasks[0]
    assert t.lead_units == ("应急管理局",)
    assert t.cooperating_units == ("市场监督管理局", "两镇")


def test_unknown_unit_is_kept_and_warned() -> None:
    plan = parse(
        "一、章\n（一）项\n正文。\n牵头单位：应急管理局\n配合单位：气象局、住建交通局\n"
        "（二）项二\n正文。\n责任单位：气象局\n"
    )
    first, second = plan.tasks
    assert first.cooperating_units == ("气象局", "住建交通局")
    assert first.unresolved_units == ("气象局",)
    assert second.responsible_units == ("气象局",)
    [warning] = [w for w in plan.warnings if w.code == "unknown_unit"]
    assert warning.tasks == ("1.1", "1.2")
    assert "气象局" in warning.message


def test_task_without_lead_or_responsible_unit() -> None:
    plan = parse("一、章\n（一）只有配合\n正文。\n配合单位：住建交通局\n（二）没有单位\n正文。\n")
    assert codes(plan, "no_unit") == [("1.1",), ("1.2",)]
    assert "只有配合单位" in next(w.message for w in plan.warnings if w.tasks == ("1.1",))


def test_traditional_characters_are_matched_and_warned() -> None:
    plan = parse("一、章\n（一）项\n確保安全生産管理人員持證上崗率達到100%。\n牵头單位：應急管理局\n")
    t = plan.tasks[0]
    assert t.lead_units == ("应急管理局",)
    assert t.text.startswith("確保安全生産管理人員")  # as written
    [rate] = t.targets
    assert rate.indicator == "安全生产管理人员持证上岗率"
    [warning] = [w for w in plan.warnings if w.code == "traditional_chars"]
    assert warning.tasks == ("1.1",)
    for char in "産員證達單應":
        assert char in warning.message


def test_simplify_leaves_simplified_text_alone() -> None:
    text = "安全生产显著提高，干部后备力量，乾坤，里程"
    assert simplify(text) == text
    assert simplify("安全生産管理人員") == "安全生产管理人员"


def test_label_quoted_in_body_is_not_a_unit_line() -> None:
    plan = parse("一、章\n（一）项\n法定代表人为第一责任单位，牵头单位：不得推诿。\n牵头单位：应急管理局\n")
    t = plan.tasks[0]
    assert t.lead_units == ("应急管理局",)
    assert t.unresolved_units == ()
    assert "牵头单位：不得推诿" in t.text
    [warning] = [w for w in plan.warnings if w.code == "suspicious_unit_wording"]
    assert warning.tasks == ("1.1",) and "共2处" in warning.message


@pytest.mark.parametrize(
    ("sentence", "deadline"),
    [
        ("到2025年，安全培训覆盖率达到100%。", date(2025, 12, 31)),
        ("到 2024 年，安全培训覆盖率达到 100%。", date(2024, 12, 31)),
        ("2025年底前安全培训覆盖率达到100%。", date(2025, 12, 31)),
        ("力争至2023年底，安全培训覆盖率为100%。", date(2023, 12, 31)),
        ("2025年6月底前，安全培训覆盖率达到100%。", date(2025, 6, 30)),
        ("安全培训覆盖率于2024年2月底前达到100%。", date(2024, 2, 29)),
        ("到“十四五”末，安全培训覆盖率达到100%。", date(2025, 12, 31)),
        ("依据2021年印发的方案，安全培训覆盖率达到100%。", None),
        ("安全培训覆盖率达到100%。", None),
    ],
)
def test_deadlines(sentence: str, deadline: date | None) -> None:
    plan = parse(f"一、章\n（一）项\n{sentence}\n责任单位：应急局\n")
    [rate] = plan.tasks[0].targets
    assert (rate.indicator, rate.comparator, rate.value, rate.unit) == ("安全培训覆盖率", ">=", 100, "%")
    assert rate.deadline == deadline
    assert codes(plan, "target_without_deadline") == ([] if deadline else [("1.1",)])


def test_plan_end_is_a_parameter() -> None:
    text = "一、章\n（一）项\n到十四五期末，隐患整改率达到95%。\n责任单位：应急局\n"
    plan = parse_plan(text, small_registry(), plan_end=date(2026, 6, 30))
    assert plan.tasks[0].targets[0].deadline == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("到2025年，事故死亡人数比例控制在5%以内。", ("事故死亡人数比例", "<=", 5, "%")),
        ("到2025年，事故发生率不超过0.5%。", ("事故发生率", "<=", 0.5, "%")),
        ("到2025年，隐患整改率90%以上。", ("隐患整改率", ">=", 90, "%")),
        ("到2025年，标准化企业数量不少于12家。", ("标准化企业数量", ">=", 12, "家")),
        ("到2025年，力争创建示范企业数量增加3家。", ("示范企业数量", "+=", 3, "家")),
        ("到2025年，专职安全员不低于职工总数的2%。", ("专职安全员占职工总数比例", ">=", 2, "%")),
    ],
)
def test_target_forms(sentence: str, expected: tuple[str, str, float, str]) -> None:
    plan = parse(f"一、章\n（一）项\n{sentence}\n责任单位：应急局\n")
    [found] = plan.tasks[0].targets
    assert (found.indicator, found.comparator, found.value, found.unit) == expected
    assert found.source == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "消火栓间距不大于 120 米，保护半径不应超过 150 米，宽度在 60 米以上的道路两侧设置消火栓。",
        "消防水池容量按 6 小时以上设计。",
        "总质量 4.5 吨及以下普通货运车辆治理。",
        "反应工艺危险度被确定为 4 级或 5 级的精细化工建设项目。",
        "依据《智慧化工园区建设指南》(GB/T 39218-2020)建设。",
        "价格下降了10%。",
        "建成2个示范点。",
    ],
)
def test_numbers_that_are_not_targets(sentence: str) -> None:
    plan = parse(f"一、章\n（一）项\n{sentence}\n责任单位：应急局\n")
    assert plan.tasks[0].targets == ()


def test_same_target_in_two_tasks_is_no_conflict_but_different_is() -> None:
    plan = parse(
        "一、章\n（一）甲\n到2025年，达标率为100%，规范化率为80%。\n责任单位：应急局\n"
        "（二）乙\n到2025年，示范区达标率为100%，规范化率为60%。\n责任单位：应急局\n"
    )
    [warning] = [w for w in plan.warnings if w.code == "conflicting_targets"]
    assert warning.tasks == ("1.1", "1.2")
    assert "规范化率" in warning.message and "达标率”" not in warning.message


def test_numbering_gap_and_text_outside_tasks() -> None:
    plan = parse(
        "一、章\n章的引言。\n（一）甲\n正文。\n责任单位：应急局\n（三）丙\n正文。\n责任单位：应急局\n"
        "三、第三章\n（一）丁\n正文。\n责任单位：应急局\n"
    )
    assert [t.code for t in plan.tasks] == ["1.1", "1.3", "3.1"]
    assert [w.tasks for w in plan.warnings if w.code == "numbering"] == [(), ("1.3",)]
    [outside] = [w for w in plan.warnings if w.code == "text_outside_task"]
    assert "章的引言" in outside.message


def test_no_tasks() -> None:
    plan = parse("一段文字，没有章节。")
    assert plan.tasks == ()
    assert plan.preamble == "一段文字，没有章节。"
    assert codes(plan, "no_tasks") == [()]


def test_windows_line_endings_and_single_newlines() -> None:
    plan = parse(TWO_TASKS.replace("\n\n", "\n").replace("\n", "\r\n"))
    assert plan == parse(TWO_TASKS)


def test_synthetic_parse_is_deterministic() -> None:
    text = "一、章\n（一）甲\n到2025年，达标率为100%。\n配合单位：气象局\n（二）乙\n达标率为90%。\n责任单位：應急局\n"
    first, second = parse(text), parse(text)
    assert first == second
    assert [w.code for w in first.warnings] == [
        "conflicting_targets",
        "no_unit",
        "target_without_deadline",
        "traditional_chars",
        "unknown_unit",
    ]


def test_domain_module_imports_no_django() -> None:
    code = "import sys, anjian.domain.plan_text; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
