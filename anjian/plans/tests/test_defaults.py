"""Pages open on data, not on an empty year (issue 7, "Defaults that open empty")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_compliance_opens_on_the_latest_year_with_reports_due(
    small_plan: Any, committee_user: Any, client_for: Any
) -> None:
    # given a plan whose last year may lie before today (the 2021–2025 plan seen in 2026)
    html = client_for(committee_user).get(reverse("plans:compliance")).content.decode()
    expected = min(small_plan.period_end.year, timezone.localdate().year)
    # then the page, its subtitle and the year selector agree on the plan's latest year, and it has rows
    selected = re.search(r'<option value="(\d+)" selected>', html)
    assert selected is not None and int(selected.group(1)) in {expected, expected - 1}
    assert f"{selected.group(1)}年" in html
    assert "暂无应报的进展报告" not in html


def test_an_asked_year_is_kept(small_plan: Any, committee_user: Any, client_for: Any) -> None:
    html = (
        client_for(committee_user)
        .get(reverse("plans:compliance"), {"year": small_plan.period_start.year})
        .content.decode()
    )
    assert f'<option value="{small_plan.period_start.year}" selected>' in html


def test_my_tasks_offers_filing_only_where_there_is_something_to_file(task_of: Any) -> None:
    from django.template.loader import render_to_string

    task = task_of("1.1")
    row = {"task": task, "roles": "牵头", "missing": [], "late": [], "open": [], "latest": None}
    html = render_to_string("plans/my_tasks.html", {"rows": [row], "summary": None})
    assert reverse("plans:report_file", args=[task.pk]) not in html
    row_due = {**row, "open": [type("Due", (), {"label": "2026Q4", "due_date": timezone.localdate()})()]}
    html = render_to_string("plans/my_tasks.html", {"rows": [row_due], "summary": None})
    assert reverse("plans:report_file", args=[task.pk]) in html
