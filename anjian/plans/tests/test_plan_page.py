"""The plan page shows the parser's warnings in Chinese."""

import pytest

pytestmark = pytest.mark.django_db


def test_plan_page_labels_warnings_in_chinese(client_for, committee_user, plan_importer, seed_plan_text):
    # given the seed plan, whose 2.3 and 8.5 disagree on 小微企业规范化达标率
    plan = plan_importer(seed_plan_text, code="plan").plan
    # when the committee office opens the plan page
    html = client_for(committee_user).get(plan.get_absolute_url()).content.decode()
    # then the warning reads as 指标目标不一致 with both tasks, not as a machine code
    assert "指标目标不一致" in html and "含繁体字" in html
    assert ">conflicting_targets<" not in html
