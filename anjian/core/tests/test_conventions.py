"""Project-wide rules checked by tests (NetBox ``test_model_test_coverage``; the domain stays pure)."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

ANJIAN = Path(__file__).resolve().parents[2]


def test_domain_imports_no_django():
    # given every module under anjian/domain
    offenders = []
    for path in (ANJIAN / "domain").rglob("*.py"):
        if "tests" in path.parts:
            continue  # tests may use the seed registry
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            # then none imports Django, DRF or an app module
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] in {"django", "rest_framework"}
                or (n.startswith("anjian.") and not n.startswith("anjian.domain"))
            ]
    assert offenders == []


@pytest.mark.parametrize(
    "model", [m for m in apps.get_models() if m.__module__.startswith("anjian.")], ids=lambda m: m._meta.label
)
def test_every_model_has_docstring_ordering_verbose_name_and_str(model):
    # given an Anjian model; then it follows habit 1 of STYLE.md
    assert model.__doc__ and not model.__doc__.startswith(model.__name__ + "("), f"{model} has no docstring"
    assert model._meta.ordering, f"{model} has no Meta.ordering"
    assert model._meta.verbose_name != model.__name__.lower(), f"{model} has no verbose_name"
    assert "__str__" in vars(model) or any(
        "__str__" in vars(b) for b in model.__mro__[1:-2] if b.__module__.startswith("anjian.")
    ), f"{model} has no __str__"


@pytest.mark.django_db
def test_openapi_schema_builds(client, committee_user):
    # given a logged-in user
    client.force_login(committee_user)
    # when the schema is requested
    response = client.get("/api/v1/schema/", {"format": "json"})
    # then it builds and lists the API
    assert response.status_code == 200
    assert "/api/v1/me/" in response.json()["paths"]


@pytest.mark.django_db
def test_api_docs_page_uses_no_cdn(client, committee_user):
    client.force_login(committee_user)
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


@pytest.mark.django_db
def test_sidebar_marks_only_the_most_specific_link(rf, committee_user):
    from anjian.core.context_processors import navigation

    # given a page under /enterprises/licences/
    request = rf.get("/enterprises/licences/")
    request.user = committee_user
    # then only 许可证 is active, not also 企业名录 (/enterprises/)
    active = [link["label"] for s in navigation(request)["nav"] for link in s["links"] if link["active"]]
    assert active == ["许可证"]


@pytest.mark.django_db
def test_long_sidebar_folds_all_but_the_work_bench_and_the_current_section(rf, client, committee_user):
    from anjian.core.context_processors import FOLD_ABOVE, navigation

    request = rf.get("/enterprises/licences/")
    request.user = committee_user
    nav = navigation(request)["nav"]
    assert sum(len(s["links"]) for s in nav) > FOLD_ABOVE  # the committee office sees every module
    assert [s["label"] for s in nav if s["open"]] == ["工作台", "企业档案"]
    # the page folds with plain <details>: every link is still in the page, the current one marked
    client.force_login(committee_user)
    html = client.get("/enterprises/licences/").content.decode()
    assert html.count('<details class="nav-section" open>') == 2
    assert 'aria-current="page">许可证</a>' in html
    assert sum(len(s["links"]) for s in nav) == html.count(
        "<a href=", html.index('aria-label="模块"'), html.index("</nav>")
    )


@pytest.mark.django_db
def test_api_schema_and_docs_need_login(client):
    assert client.get("/api/v1/schema/").status_code in {401, 403}
    assert client.get("/api/v1/docs/").status_code in {401, 403}


@pytest.mark.django_db
def test_not_found_page_is_in_chinese(client, committee_user):
    client.force_login(committee_user)
    response = client.get("/enterprises/987654/")
    assert response.status_code == 404
    assert "页面不存在或无权查看" in response.content.decode()
