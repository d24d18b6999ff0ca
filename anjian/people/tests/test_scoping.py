"""An enterprise user never sees another enterprise's people: pages, API, export, search; detail is 404."""

import io

import pytest
from openpyxl import load_workbook

from anjian.people.selectors import enterprise_people_summary

pytestmark = pytest.mark.django_db


def _xlsx_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_pages_and_search_show_only_own_people(two_enterprises, client_for):
    a, b = two_enterprises["a"], two_enterprises["b"]
    client = client_for(a["user"])
    b_url = f"/people/persons/{b['person'].pk}/"
    # the lists and the expiring page show A's rows and nothing of B's
    for html in (
        client.get("/people/persons/").content.decode(),
        client.get("/people/certificates/").content.decode(),
        client.get("/people/expiring/", {"tab": "30"}).content.decode(),
        client.get("/people/trainings/").content.decode(),
    ):
        assert "甲员工" in html
        assert "乙员工" not in html and "T-B-0001" not in html and b_url not in html
    # a search for B's person, certificate or training finds nothing (the page only echoes the words)
    for path, q in (
        ("/people/persons/", "乙员工"),
        ("/people/persons/", b["person"].id_number),
        ("/people/certificates/", "T-B-0001"),
        ("/people/trainings/", "乙员工三级安全教育"),
    ):
        html = client.get(path, {"q": q}).content.decode()
        assert "没有符合条件的" in html and b_url not in html and "乙化工有限公司" not in html
    # B's person, certificate edit and training edit pages answer 404 like absent ones
    assert client.get(f"/people/persons/{b['person'].pk}/").status_code == 404
    assert client.get(f"/people/persons/{b['person'].pk}/edit/").status_code == 404
    assert client.get(f"/people/certificates/{b['certificate'].pk}/edit/").status_code == 404
    assert client.post(f"/people/trainings/{b['training'].pk}/delete/").status_code == 404
    assert client.get("/people/persons/999999/").status_code == 404


def test_api_lists_search_and_detail(two_enterprises, api_client_for):
    a, b = two_enterprises["a"], two_enterprises["b"]
    api = api_client_for(a["user"])
    persons = api.get("/api/v1/people/persons/").json()
    assert [p["name"] for p in persons["results"]] == ["甲员工"]
    assert api.get("/api/v1/people/persons/", {"search": "乙员工"}).json()["count"] == 0
    assert (
        api.get("/api/v1/people/persons/", {"employer_enterprise_id": b["enterprise"].pk}).json()["count"]
        == 0
    )
    assert api.get("/api/v1/people/certificates/", {"q": "T-B"}).json()["count"] == 0
    assert api.get("/api/v1/people/certificates/expiring/", {"days": 30}).json()["count"] == 1
    assert api.get("/api/v1/people/trainings/").json()["count"] == 1
    # detail and change of B's rows answer 404, with the same body as an absent id
    absent = api.get("/api/v1/people/persons/999999/")
    hidden = api.get(f"/api/v1/people/persons/{b['person'].pk}/")
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json()) == (404, absent.json())
    assert (
        api.patch(f"/api/v1/people/persons/{b['person'].pk}/", {"job": "x"}, format="json").status_code == 404
    )
    assert api.get(f"/api/v1/people/certificates/{b['certificate'].pk}/").status_code == 404
    assert api.delete(f"/api/v1/people/trainings/{b['training'].pk}/").status_code == 404
    # nor can A attach a certificate to B's person
    response = api.post(
        "/api/v1/people/certificates/",
        {
            "person": b["person"].pk,
            "kind": "other",
            "number": "X1",
            "issuer": "某机关",
            "issued_on": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 404 and response.json()["field"] == "person"


def test_exports_contain_only_own_rows(two_enterprises, client_for, api_client_for):
    a = two_enterprises["a"]
    client, api = client_for(a["user"]), api_client_for(a["user"])
    for register in ("persons", "certificates", "trainings"):
        for response in (
            client.get(f"/people/excel/{register}/export/"),
            client.get(f"/people/excel/{register}/export/", {"q": "乙员工"}),
            api.get(f"/api/v1/people/{register}/export/"),
        ):
            text = _xlsx_text(response.content)
            assert "乙员工" not in text and "T-B-0001" not in text
        assert "甲员工" in _xlsx_text(client.get(f"/people/excel/{register}/export/").content)


def test_department_sees_what_it_supervises(two_enterprises, user_factory, api_client_for, person_factory):
    # 应急管理局 supervises both 危化 enterprises; 市监局 neither; each sees its own staff only
    person_factory("应急管理局", role="enforcement", name="应急执法员")
    person_factory("市监局", role="enforcement", name="市监执法员")
    yjj = api_client_for(user_factory(role="dept", org="应急管理局"))
    sjj = api_client_for(user_factory(role="dept", org="市监局"))
    names = lambda api: sorted(p["name"] for p in api.get("/api/v1/people/persons/").json()["results"])  # noqa: E731
    assert names(yjj) == ["乙员工", "应急执法员", "甲员工"]
    assert names(sjj) == ["市监执法员"]


def test_enterprise_tab_summary_is_scoped(two_enterprises, user_factory):
    a, b = two_enterprises["a"], two_enterprises["b"]
    # A's user asking about B's enterprise gets nothing
    summary = enterprise_people_summary(b["enterprise"], a["user"])
    assert (summary["active_total"], summary["people"], summary["expiring"]) == (0, [], [])
    # the supervising department sees B's person and its expiring certificate, and may register people
    yjj = user_factory(role="dept", org="应急管理局")
    summary = enterprise_people_summary(b["enterprise"], yjj)
    assert [p.name for p in summary["people"]] == ["乙员工"]
    assert [c.number for c in summary["expiring"]] == ["T-B-0001"]
    assert (summary["certified"], summary["three_types_total"], summary["can_change"]) == (1, 1, True)
