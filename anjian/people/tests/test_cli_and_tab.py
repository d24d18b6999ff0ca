"""The ``anjian people`` command and the 一企一档 tab template."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from openpyxl import load_workbook

from anjian.people.choices import RoleCategory
from anjian.people.models import Person
from anjian.people.selectors import enterprise_people_summary
from anjian.people.tests.fixtures import xlsx_bytes

pytestmark = pytest.mark.django_db


def test_cli_import_reports_and_export_is_scoped(two_enterprises, tmp_path):
    a = two_enterprises["a"]
    upload = tmp_path / "people.xlsx"
    upload.write_bytes(
        xlsx_bytes(
            ["姓名", "证件号码", "所在企业", "人员类别"],
            [
                ["张伟", "11010519491231002X", a["enterprise"].name, "主要负责人"],
                ["李娜", "110105194912310021", a["enterprise"].name, "主要负责人"],
            ],
        )
    )
    out = io.StringIO()
    # when imported as A's user: one row saved, one rejected, exit status 1
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "people", "import", "persons", str(upload), "--user", a["user"].username, "--json", stdout=out
        )
    report = json.loads(out.getvalue())
    assert exit_info.value.code == 1
    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["errors"] == [
        {"row": 3, "column": "证件号码", "reason": "公民身份号码第18位校验码应为“X”，实际为“1”"}
    ]
    # and the export as A's user holds A's people only
    target = tmp_path / "out.xlsx"
    call_command(
        "people", "export", "persons", str(target), "--user", a["user"].username, stdout=io.StringIO()
    )
    names = [r[0] for r in load_workbook(target).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["张伟", "甲员工"]


def test_cli_metrics_json(enterprise_factory, person_factory, certificate_factory):
    plant = enterprise_factory()
    certificate_factory(person_factory(plant, RoleCategory.PRINCIPAL))
    person_factory(plant, RoleCategory.SAFETY_MANAGER)
    out = io.StringIO()
    call_command("people", "metrics", "--as-of", "2025-01-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    first = data["metrics"][0]
    assert (first["key"], first["value"], first["numerator"], first["denominator"]) == (
        "people.three_types_certified_rate",
        "50.0",
        1,
        2,
    )


def test_enterprise_tab_renders_rate_and_people(
    enterprise_factory, person_factory, certificate_factory, committee_user
):
    plant = enterprise_factory(name="甲化工有限公司")
    principal = person_factory(plant, RoleCategory.PRINCIPAL, name="王厂长")
    certificate_factory(principal, expires_on=dt.date(2099, 1, 1))
    person_factory(plant, RoleCategory.SPECIAL_WORKER, name="李电工")
    html = render_to_string(
        "people/_enterprise_tab.html", {"people_summary": enterprise_people_summary(plant, committee_user)}
    )
    assert "50.0%" in html and "三类人员持证上岗率（1/2）" in html
    assert "王厂长" in html and "李电工" in html
    assert Person.objects.count() == 2
