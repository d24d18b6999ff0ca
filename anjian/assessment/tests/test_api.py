"""Assessment API: schemes, results (scoped), veto events, and the run / finalise actions."""

from __future__ import annotations

import pytest

from anjian.assessment.models import AssessmentResult
from anjian.core.choices import AuditEvent
from anjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SCHEMES = "/api/v1/assessment/schemes/"
RESULTS = "/api/v1/assessment/results/"


@pytest.fixture
def dept_user(user_factory):
    return user_factory(org="应急管理局", username="yj")


def test_schemes_list_with_rules_and_vetoes(run_2025, api_client_for, dept_user):
    body = api_client_for(dept_user).get(SCHEMES).json()
    [scheme] = body["results"]
    assert (scheme["year"], scheme["state"]) == (2025, "computed")
    assert [r["max_points"] for r in scheme["rules"]] == ["40.0", "40.0", "20.0"]
    assert (
        scheme["vetoes"][0]["description"]
        == "考核年度内辖区（职责范围）发生较大及以上生产安全事故的，一票否决"
    )


def test_results_are_scoped_to_the_users_unit(
    run_2025, api_client_for, dept_user, committee_user, result_of, django_assert_max_num_queries
):
    # given the committee office and a 应急管理局 user
    with django_assert_max_num_queries(8):
        everything = api_client_for(committee_user).get(RESULTS, {"year": 2025}).json()
    own = api_client_for(dept_user).get(RESULTS).json()
    # then the office sees the four results, the department only its own
    assert everything["count"] == 4
    assert [(r["unit_name"], r["total"], r["grade"]) for r in own["results"]] == [
        ("应急管理局", "65.0", "pass")
    ]
    other = result_of(run_2025, "住建交通局")
    assert api_client_for(dept_user).get(f"{RESULTS}{other.pk}/").status_code == 404
    detail = api_client_for(committee_user).get(f"{RESULTS}{other.pk}/").json()
    assert detail["vetoed"] is True and detail["lines"][0]["earned"] == "0.0"


def test_results_filter_by_grade(run_2025, api_client_for, committee_user):
    body = api_client_for(committee_user).get(RESULTS, {"grade": ["fail", "pass"]}).json()
    assert sorted(r["unit_name"] for r in body["results"]) == ["住建交通局", "应急管理局"]


def test_post_run_computes_and_is_audited(scheme_2025, api_client_for, committee_user):
    response = api_client_for(committee_user).post(
        f"{SCHEMES}{scheme_2025.pk}/run/", {"as_of": "2026-01-16"}, format="json"
    )
    assert response.status_code == 200
    assert [(r["unit_name"], r["total"]) for r in response.json()][:2] == [
        ("孛井滩镇", "100.0"),
        ("腾格里镇", "100.0"),
    ]
    assert AuditEntry.objects.filter(event_type=AuditEvent.ASSESSMENT_RUN).count() == 1


def test_department_may_not_run(scheme_2025, api_client_for, dept_user):
    response = api_client_for(dept_user).post(f"{SCHEMES}{scheme_2025.pk}/run/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not AssessmentResult.objects.exists()


def test_finalise_then_run_is_a_conflict(run_2025, api_client_for, committee_user):
    client = api_client_for(committee_user)
    assert (
        client.post(f"{SCHEMES}{run_2025.pk}/finalise/", {"reason": "审议通过"}, format="json").json()[
            "state"
        ]
        == "final"
    )
    response = client.post(f"{SCHEMES}{run_2025.pk}/run/", {}, format="json")
    assert response.status_code == 409 and response.json()["detail"] == "该年度考核已确认，不能重新计算"


def test_veto_events_are_scoped(run_2025, api_client_for, committee_user, dept_user, unit):
    from anjian.assessment.actions import do_record_veto_event

    do_record_veto_event(
        unit=unit("腾格里镇"), year=2025, grade="larger", description="事故", acting_user=committee_user
    )
    assert api_client_for(committee_user).get("/api/v1/assessment/veto-events/").json()["count"] == 1
    assert api_client_for(dept_user).get("/api/v1/assessment/veto-events/").json()["count"] == 0
