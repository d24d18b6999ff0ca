"""The 导入/修订规划 page: upload or paste → preview (writes nothing) → confirm with a reason (one audit row)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry
from anjian.plans.forms import ENCODING_ERROR, NEW_PLAN, decode_plan_bytes
from anjian.plans.models import Plan, PlanTask, ProgressReport, Target, TaskUnit
from anjian.plans.plan_import import sha256_of

pytestmark = pytest.mark.django_db

IMPORT_URL = "/plans/plan/import/"
CONFIRM_URL = "/plans/plan/import/confirm/"


def _revise(text: str) -> str:
    """The small plan revised: 1.1 loses 两镇 and its target drops to 95%, 2.1 goes, 1.3 is new."""
    return (
        text.replace("配合单位：市监局、两镇", "配合单位：市监局")
        .replace("达标率为100%", "达标率为95%")
        .split("二、提升基础保障能力")[0]
        + "（三）开展隐患排查\n\n组织开展隐患排查治理。\n\n责任单位：应急管理局\n"
    )


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Plan, PlanTask, TaskUnit, Target, ProgressReport, AuditEntry))


def _upload(content: bytes, name: str = "规划.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def _preview(client: Any, *, target: str = NEW_PLAN, **data: Any) -> Any:
    return client.post(IMPORT_URL, {"target": target, **data})


def _confirm(client: Any, preview: Any, reason: str = "区安委会审议通过", **override: str) -> Any:
    data = {"token": preview.context["token"], "payload": preview.context["payload"], "reason": reason}
    return client.post(CONFIRM_URL, {**data, **override})


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


# ---------------------------------------------------------------------------------------------------
# Who may see the page
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["committee", "admin"])
def test_zone_wide_roles_see_the_page_and_the_button(role, small_plan, user_factory, client_for):
    # given a committee office user or an administrator
    user = user_factory(role=role, org="安委会办公室" if role == "committee" else None)
    client = client_for(user)
    # when they open the plan page and the import page
    plan_html = client.get("/plans/").content.decode()
    page = client.get(IMPORT_URL)
    # then both show the import entry, and the form offers to revise the stored plan or start a new one
    assert "导入/修订规划" in plan_html and IMPORT_URL in plan_html
    assert page.status_code == 200
    assert page.context["form"].fields["target"].choices == [
        ("small-plan", f"修订：{small_plan.title}（small-plan）"),
        (NEW_PLAN, "新建规划"),
    ]


@pytest.mark.parametrize("role", ["dept", "commander"])
def test_other_users_get_404_and_no_button(role, small_plan, small_plan_text, user_factory, client_for):
    # given a department user and a commander, who may read the plan but not import it
    client = client_for(user_factory(role=role))
    before = _counts()
    # when they open the page, post a preview and post a confirm
    responses = [
        client.get(IMPORT_URL),
        _preview(client, text=_revise(small_plan_text)),
        client.post(CONFIRM_URL, {"token": "x", "payload": "", "reason": "试图修订"}),
    ]
    # then every request answers 404, nothing is written and the plan page has no import button
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _counts() == before
    assert IMPORT_URL not in client.get("/plans/").content.decode()


# ---------------------------------------------------------------------------------------------------
# Preview
# ---------------------------------------------------------------------------------------------------


def test_preview_of_a_new_plan_writes_nothing(small_plan_text, committee_user, client_for):
    # given no plan yet
    client = client_for(committee_user)
    before = _counts()
    # when the office previews the pasted plan
    with CaptureQueriesContext(connection) as queries:
        response = _preview(client, text=small_plan_text)
    # then the preview shows the three tasks to be created, and no row (plan, audit, session) was written
    html = response.content.decode()
    assert response.status_code == 200
    assert _writes(queries) == []
    assert _counts() == before
    assert "将新建规划，共 3 项任务" in html
    assert [r["code"] for r in response.context["added"]] == ["1.1", "1.2", "2.1"]
    assert response.context["added"][0]["lead"] == "应急管理局"
    assert response.context["added"][0]["cooperating"] == "市场监督管理局、两镇"
    assert response.context["prepared"].code == "plan-2021-2025"
    assert response.context["can_confirm"] is True


def test_preview_of_a_revision_shows_the_diff_and_writes_nothing(
    small_plan, small_plan_text, task_of, report_factory, committee_user, client_for
):
    # given the small plan with one report on 2.1, which the revision removes
    report_factory(task_of("2.1"), "工业和科技局", 2021, 1)
    client = client_for(committee_user)
    before = _counts()
    # when the office previews the revised text against the stored plan
    with CaptureQueriesContext(connection) as queries:
        response = _preview(client, target="small-plan", file=_upload(_revise(small_plan_text).encode()))
    # then it lists the added, removed and changed tasks with their units and targets, and writes nothing
    html = response.content.decode()
    assert _writes(queries) == []
    assert _counts() == before
    assert [r["code"] for r in response.context["added"]] == ["1.3"]
    assert response.context["added"][0]["lead"] == "应急管理局"
    assert [(r["code"], r["reports"]) for r in response.context["removed"]] == [("2.1", 1)]
    assert "删除的任务已有 1 份进展报告，确认后将一并删除" in html
    [change] = response.context["diff"].changed
    assert change.code == "1.1"
    assert "配合单位：−两镇" in change.changes
    assert (
        "指标：+规模以上企业安全生产标准化达标率 不低于95%（2025-12-31）；"
        "−规模以上企业安全生产标准化达标率 不低于100%（2025-12-31）"
    ) in change.changes
    assert "配合单位：−两镇" in html and "开展隐患排查" in html
    assert "新增 <strong>1</strong> 项、删除 <strong>1</strong> 项、修改 <strong>1</strong> 项任务" in html
    assert "确认修订" in html


def test_identical_text_needs_no_import(small_plan, small_plan_text, committee_user, client_for):
    # given the small plan imported; when the office uploads the same text again
    response = _preview(
        client_for(committee_user), target="small-plan", file=_upload(small_plan_text.encode())
    )
    # then the preview says nothing needs importing and offers no confirm button
    html = response.content.decode()
    assert "与已导入的规划相同，无需导入" in html
    assert response.context["can_confirm"] is False
    assert "确认修订" not in html and CONFIRM_URL not in html


def test_same_text_chosen_as_new_plan_is_recognised_by_its_hash(
    small_plan, small_plan_text, committee_user, client_for
):
    # given the small plan imported; when the office pastes the same text (CRLF line ends) as a "new" plan
    pasted = small_plan_text.replace("\n", "\r\n").rstrip()
    response = _preview(client_for(committee_user), text=pasted)
    # then the text hashes like the stored one and the preview says no import is needed
    assert response.context["prepared"].sha256 == small_plan.source_sha256
    assert "与已导入的规划相同，无需导入" in response.content.decode()


def test_parse_warnings_show_with_chinese_labels(seed_plan_text, committee_user, client_for):
    # given the seed plan, whose 2.3 and 8.5 disagree on 小微企业规范化达标率; when previewed
    response = _preview(client_for(committee_user), file=_upload(seed_plan_text.encode(), "seed.txt"))
    # then the warnings read in Chinese with the tasks they concern
    html = response.content.decode()
    labels = {w["code"]: w["label"] for w in response.context["warnings"]}
    assert labels["conflicting_targets"] == "指标目标不一致"
    assert "指标目标不一致" in html and "含繁体字" in html
    assert ">conflicting_targets<" not in html
    assert response.context["task_count"] == 42


# ---------------------------------------------------------------------------------------------------
# Encodings and bad input
# ---------------------------------------------------------------------------------------------------


def test_gbk_file_decodes_to_the_same_text(small_plan, small_plan_text, committee_user, client_for):
    # given the small plan imported from UTF-8; when the office uploads it saved as GBK with CRLF line ends
    gbk = small_plan_text.replace("\n", "\r\n").encode("gbk")
    response = _preview(client_for(committee_user), target="small-plan", file=_upload(gbk))
    # then it decodes to the very same text: same hash, nothing to import
    assert response.status_code == 200
    assert response.context["source"] == "上传文件 规划.txt（GBK（GB18030） 编码）"
    assert response.context["prepared"].sha256 == small_plan.source_sha256
    assert response.context["task_count"] == 3
    assert "与已导入的规划相同，无需导入" in response.content.decode()


def test_garbage_binary_gives_the_chinese_encoding_error(committee_user, client_for):
    # given a binary file (a PNG header followed by every byte value)
    garbage = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    client = client_for(committee_user)
    before = _counts()
    # when uploaded
    response = _preview(client, file=_upload(garbage, "图片.txt"))
    # then the form comes back with the Chinese encoding error and nothing is written
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [ENCODING_ERROR]
    assert "无法识别文件编码" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ("规划".encode(), "UTF-8"),
        (b"\xef\xbb\xbf" + "规划".encode(), "UTF-8"),
        ("規劃，规划".encode("gb18030"), "GBK（GB18030）"),
        ("规划".encode("utf-16"), "UTF-16"),
    ],
)
def test_decode_plan_bytes_accepts_text_encodings(data, label):
    assert decode_plan_bytes(data)[1] == label
    assert decode_plan_bytes(data)[0].endswith("规划")


def test_decode_plan_bytes_rejects_nul_bytes_even_when_they_decode():
    from django import forms

    # given bytes that are valid UTF-8 but contain NUL (a binary file); then they are not a plan text
    with pytest.raises(forms.ValidationError) as info:
        decode_plan_bytes("规划\x00\x01".encode())
    assert info.value.messages == [ENCODING_ERROR]


def test_form_errors_are_in_chinese(small_plan, small_plan_text, committee_user, client_for):
    client = client_for(committee_user)
    # nothing given
    empty = _preview(client)
    assert "请上传规划文本文件，或把规划全文粘贴到文本框中。" in empty.context["form"].non_field_errors()
    # both given
    both = _preview(client, text=small_plan_text, file=_upload(small_plan_text.encode()))
    assert "请上传文件或粘贴文本，二者选其一。" in both.context["form"].non_field_errors()
    # no period in the title or the file name
    untitled = small_plan_text.replace("“十四五”", "")
    no_period = _preview(client, text=untitled)
    assert "无法从标题识别规划期" in no_period.context["form"].errors["start"][0]
    # a new plan under a code already taken
    taken = _preview(client, text=small_plan_text, code="small-plan")
    assert "编号“small-plan”已被规划" in taken.context["form"].errors["code"][0]


def test_period_can_be_given_when_the_title_has_none(small_plan_text, committee_user, client_for):
    # given a text whose title names no period; when previewed with the dates filled in
    untitled = small_plan_text.replace("“十四五”", "")
    response = _preview(client_for(committee_user), text=untitled, start="2022-01-01", end="2026-12-31")
    # then the preview uses those dates
    prepared = response.context["prepared"]
    assert (prepared.period_start.isoformat(), prepared.period_end.isoformat()) == (
        "2022-01-01",
        "2026-12-31",
    )


def test_text_without_tasks_cannot_be_confirmed(committee_user, client_for):
    response = _preview(client_for(committee_user), text="“十四五”安全生产规划\n\n正文待定。\n")
    assert response.context["can_confirm"] is False
    assert "未识别到任何任务" in response.content.decode()


# ---------------------------------------------------------------------------------------------------
# Confirm
# ---------------------------------------------------------------------------------------------------


def test_confirm_imports_a_new_plan_with_one_audit_row(small_plan_text, committee_user, client_for):
    # given a previewed new plan
    client = client_for(committee_user)
    preview = _preview(client, file=_upload(small_plan_text.encode(), "small-plan.txt"))
    logins = AuditEntry.objects.count()
    # when the office confirms with a reason
    response = _confirm(client, preview, reason="区安委会2021年第1次会议印发")
    # then the plan is stored, one PLAN_IMPORTED row records who and why, and the plan page says so
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.code == "small-plan" and plan.tasks.count() == 3
    [entry] = AuditEntry.objects.order_by("pk")[logins:]
    assert entry.event_type == AuditEvent.PLAN_IMPORTED
    assert entry.reason == "区安委会2021年第1次会议印发"
    assert entry.user == committee_user
    page = client.get(response["Location"]).content.decode()
    assert f"已导入规划“{plan.title}”，共3项任务。" in page


def test_confirm_applies_the_previewed_revision(
    small_plan, small_plan_text, task_of, report_factory, committee_user, client_for
):
    # given the small plan with a report on 2.1 and a previewed revision
    report_factory(task_of("2.1"), "工业和科技局", 2021, 1)
    client = client_for(committee_user)
    preview = _preview(client, target="small-plan", text=_revise(small_plan_text))
    audit_before = AuditEntry.objects.count()
    # when confirmed
    response = _confirm(client, preview, reason="中期评估后调整")
    # then the diff is applied and exactly one PLAN_REVISED row is written
    assert response["Location"] == small_plan.get_absolute_url()
    assert list(PlanTask.objects.values_list("code", flat=True)) == ["1.1", "1.2", "1.3"]
    assert [u.name for u in PlanTask.objects.get(code="1.1").cooperating_units] == ["市场监督管理局"]
    assert Target.objects.get(task__code="1.1").value == 95
    assert ProgressReport.objects.count() == 0
    [entry] = AuditEntry.objects.order_by("pk")[audit_before:]
    assert entry.event_type == AuditEvent.PLAN_REVISED
    assert entry.reason == "中期评估后调整"
    assert entry.after["diff"]["added"] == ["1.3"] and entry.after["diff"]["removed"] == ["2.1"]
    html = client.get(response["Location"]).content.decode()
    assert "新增1项、删除1项、修改1项任务" in html


def test_confirm_requires_a_reason(small_plan, small_plan_text, committee_user, client_for):
    # given a previewed revision; when confirmed without a reason
    client = client_for(committee_user)
    preview = _preview(client, target="small-plan", text=_revise(small_plan_text))
    before = _counts()
    response = _confirm(client, preview, reason="")
    # then the preview comes back asking for one, and nothing is written
    assert response.status_code == 200
    assert "请填写导入或修订的原因" in response.content.decode()
    assert _counts() == before


def test_confirm_refuses_a_text_changed_after_the_preview(
    small_plan, small_plan_text, committee_user, client_for
):
    # given a previewed revision
    client = client_for(committee_user)
    preview = _preview(client, target="small-plan", text=_revise(small_plan_text))
    before = _counts()
    # when the confirm carries another text than the one previewed
    other = base64.b64encode(_revise(small_plan_text).replace("95%", "90%").encode()).decode()
    response = _confirm(client, preview, payload=other)
    # then nothing is imported and the office is told why, in Chinese
    assert _counts() == before
    assert response["Location"] == IMPORT_URL
    assert "规划文本在预览之后被改动" in client.get(IMPORT_URL).content.decode()
    assert sha256_of(small_plan_text) == Plan.objects.get().source_sha256


def test_confirm_refuses_a_forged_token(small_plan, small_plan_text, committee_user, client_for):
    client = client_for(committee_user)
    preview = _preview(client, target="small-plan", text=_revise(small_plan_text))
    before = _counts()
    response = _confirm(client, preview, token=preview.context["token"][:-2] + "xx")
    assert _counts() == before
    assert "预览信息无效" in client.get(response["Location"]).content.decode()


def test_confirm_refuses_when_the_plan_changed_since_the_preview(
    small_plan, small_plan_text, plan_importer, committee_user, client_for
):
    # given a previewed revision, and then someone else imports another revision first
    client = client_for(committee_user)
    preview = _preview(client, target="small-plan", text=_revise(small_plan_text))
    plan_importer(small_plan_text.replace("配合单位：市监局、两镇", "配合单位：两镇"))
    before = _counts()
    # when the office confirms the now outdated preview
    response = _confirm(client, preview)
    # then nothing is applied and a fresh preview against the current plan is shown
    assert response.status_code == 409
    assert _counts() == before
    assert "预览之后规划已有变化" in response.content.decode()
    assert response.context["token"] != preview.context["token"]
    assert "配合单位：+市场监督管理局 −两镇" in response.context["diff"].changed[0].changes
