"""One write path: only ``actions.py`` modules (and a short, explicit allow-list) write through the ORM.

The scan parses every module of the ``anjian`` package with ``ast`` and reports each call that writes:
``.save(``, ``.delete(`` and ``.full_clean``-less ``bulk_create``/``bulk_update``/``get_or_create``/
``update_or_create``, and ``.create(``/``.update(``/``.delete(`` on a manager or queryset chain
(``X.objects…``, ``._default_manager…``, ``.filter(…)``, ``.select_for_update()``…). A new module that writes
from a view, a serializer, an Excel sheet or a job fails here; move the write into ``<app>/actions.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "anjian"

#: Modules that may write: every app's actions, and the core writers that are themselves the actions of
#: their piece (audit, workflow engine, attachments, notifications, jobs, the system user).
ALLOWED_FILES = {
    "core/audit.py",
    "core/workflow.py",
    "core/attachments.py",
    "core/notifications.py",
    "core/jobs.py",
    "core/tasks.py",  # background tasks (large exports and imports): their own state rows
    "core/system.py",
    "core/lockout.py",  # failed-login counters (the login backend is their only writer)
    "core/tokens.py",  # API tokens die on password change or deactivation (a pre_save hook of the user)
    # The monitoring module's ingest action by design: the batched COPY/executemany writer of readings and
    # alarm state (one transaction per batch; alarms it opens are audited there).
    "monitoring/ingest.py",
}
#: Directories that may write: migrations, demo data, seed data, management commands that only call
#: Django's own (migrate, flush).
ALLOWED_PARTS = ("/migrations/", "/tests/", "anjian/demo/")
ALLOWED_NAMES = ("actions.py", "seed.py")

#: Modules that still write directly, to be moved onto their app's actions. Empty since issue 6 ("one write
#: path"); a file that writes outside the rules above fails the test.
NOT_YET_MOVED: set[str] = set()

QUERY_METHODS = {"objects", "_default_manager", "filter", "exclude", "all", "select_for_update", "using"}
ALWAYS = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
ON_CHAIN = {"create", "update", "delete"}
#: Receivers of ``.save``/``.delete`` that are not model instances: a model's own ``save`` override
#: (``super()``), a view's method (``self``), files and workbooks.
NOT_MODELS = {"super", "self", "file", "thumbnail", "wb", "workbook", "book"}
#: Bare names (not attributes: ``obj.image.save`` still counts) that hold no model: a PIL/QR image.
NOT_MODEL_NAMES = {"image"}


def _chain_names(node: ast.AST) -> list[str]:
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        else:
            return names


def writes_in(source: str) -> list[tuple[int, str]]:
    """``(line, method)`` of every ORM write call in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        receiver = _chain_names(node.func.value)
        if (
            method in ALWAYS
            or (method in ON_CHAIN and QUERY_METHODS & set(receiver))
            or (
                method in {"save", "delete"}
                and not (NOT_MODELS & set(receiver[:1]))
                and not (len(receiver) == 1 and receiver[0] in NOT_MODEL_NAMES)
            )
        ):
            found.append((node.lineno, method))
    return found


def offenders() -> dict[str, list[tuple[int, str]]]:
    result = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        full = f"anjian/{rel}"
        if rel in ALLOWED_FILES or path.name in ALLOWED_NAMES or any(p in f"/{full}" for p in ALLOWED_PARTS):
            continue
        found = writes_in(path.read_text(encoding="utf-8"))
        if found:
            result[rel] = found
    return result


def test_the_scan_sees_writes() -> None:
    # the scanner itself: these are writes, and these are not
    code = (
        "obj.save()\nModel.objects.create(a=1)\nModel.objects.filter(x=1).update(y=2)\n"
        "qs.bulk_create([])\nobj.delete()\nd = {}\nd.update(a=1)\nwb.save(buf)\nsuper().save()\n"
        "image.save(buf)\nform.save()\nform.save(commit=False)\nserializer.save()\nobj.image.save('a', f)\n"
    )
    assert [m for _l, m in writes_in(code)] == [
        "save",
        "create",
        "update",
        "bulk_create",
        "delete",
        "save",
        "save",
        "save",
        "save",
    ]


def test_only_actions_write_through_the_orm() -> None:
    found = offenders()
    unexpected = {k: v for k, v in found.items() if k not in NOT_YET_MOVED}
    assert not unexpected, "ORM writes outside actions.py (move them into the app's actions): " + "; ".join(
        f"anjian/{k}: lines {[line for line, _m in v]}" for k, v in unexpected.items()
    )
    # the debt list may only shrink: a file that no longer writes must leave it
    assert not (NOT_YET_MOVED - set(found)), (
        f"remove from NOT_YET_MOVED: {sorted(NOT_YET_MOVED - set(found))}"
    )
