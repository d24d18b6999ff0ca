"""A certificate scan is bounded and typed by its content, whichever way it comes in (issue 7, "Uploads")."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.world import World

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(name: str, data: bytes) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("scan.exe", b"MZ\x90\x00" + b"\0" * 200),
        ("scan.pdf", b"MZ\x90\x00 not a pdf"),
        ("scan.jpg", b"<html>"),
    ],
)
def test_a_certificate_scan_that_is_not_a_document_is_refused(
    name: str, data: bytes, world: World, api_client_for: Any
) -> None:
    certificate = world.a.certificate
    stored = certificate.file.name
    response = api_client_for(world.committee).patch(
        f"/api/v1/people/certificates/{certificate.pk}/", {"file": _upload(name, data)}, format="multipart"
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["field"] == "file" and "只接受" in response.json()["detail"]
    certificate.refresh_from_db()
    assert certificate.file.name == stored


@pytest.mark.django_db
def test_a_certificate_scan_over_the_limit_is_refused(
    world: World, api_client_for: Any, settings: Any
) -> None:
    settings.ANJIAN_ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = api_client_for(world.committee).patch(
        f"/api/v1/people/certificates/{world.a.certificate.pk}/",
        {"file": _upload("big.pdf", PDF + b"\0" * (1024 * 1024 + 1))},
        format="multipart",
    )
    assert response.status_code == 400 and "不能超过" in response.json()["detail"]


@pytest.mark.django_db
def test_a_pdf_scan_is_accepted(world: World, api_client_for: Any) -> None:
    response = api_client_for(world.committee).patch(
        f"/api/v1/people/certificates/{world.a.certificate.pk}/",
        {"file": _upload("scan.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 200, response.content[:300]


@pytest.mark.django_db
def test_report_evidence_that_is_not_a_document_is_refused_and_nothing_is_filed(
    task_of: Any, user_factory: Any, api_client_for: Any
) -> None:
    from anjian.plans.models import ProgressReport

    response = api_client_for(user_factory(org="应急管理局")).post(
        "/api/v1/plans/reports/",
        {
            "task": task_of("1.1").pk,
            "year": 2021,
            "quarter": 1,
            "status": "in_progress",
            "text": "召开专题会议部署。",
            "evidence": [_upload("纪要.pdf", b"MZ\x90\x00 an executable")],
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["field"] == "evidence"
    assert not ProgressReport.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# No existence oracle across units (issue 7)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_units_id_number_tells_nothing_about_the_other_record(
    world: World, api_client_for: Any
) -> None:
    other = world.b.person
    response = api_client_for(world.a.ent_user).post(
        "/api/v1/people/persons/",
        {
            "name": "甲新员工",
            "id_type": other.id_type,
            "id_number": other.id_number,
            "employer_enterprise": world.a.enterprise.pk,
            "role_category": other.role_category,
        },
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    text = response.content.decode()
    assert "无权登记" in text and "已登记" not in text
    for marker in (other.name, world.b.enterprise.name):
        assert marker not in text


@pytest.mark.django_db
def test_another_departments_uscc_tells_nothing_about_the_other_enterprise(
    world: World, api_client_for: Any
) -> None:
    other = world.b.enterprise
    response = api_client_for(world.a.dept_user).post(
        "/api/v1/enterprises/enterprises/",
        {"uscc": other.uscc, "name": "甲方新企业", "industry": other.industry, "town": other.town_id},
        format="json",
    )
    assert response.status_code in {400, 403}, response.content[:300]
    text = response.content.decode()
    assert "已登记" not in text and other.name not in text
