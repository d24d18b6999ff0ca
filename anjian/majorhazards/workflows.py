"""The 重大危险源 installation's operating status as a transition table (``core.workflow``), issue 11.

在用 ⇄ 停用, and 核销 from either; 已核销 is final (a written-off installation takes no checks and leaves the
map and the 包保 gap job). The status is edited with the installation (``actions.do_save_installation``,
which checks the step against this table under its row lock and audits it once as a status change);
the edit form offers only the current status and the ones a step reaches.
"""

from __future__ import annotations

from typing import Any

from anjian.core.workflow import Edge, Workflow, register_workflow
from anjian.majorhazards.choices import InstallationStatus as S
from anjian.majorhazards.choices import MajorHazardEvent
from anjian.majorhazards.models import HazardInstallation

__all__ = ["INSTALLATION_FLOW"]

_EVENT: dict[str, Any] = {"event": MajorHazardEvent.INSTALLATION_STATUS_CHANGED}

INSTALLATION_FLOW = register_workflow(
    Workflow(
        key="majorhazards.installation",
        label="重大危险源",
        model=HazardInstallation,
        states=S,
        edges=(
            Edge(S.IN_USE, S.STOPPED, "stop", "停用", **_EVENT),
            Edge(S.STOPPED, S.IN_USE, "resume", "恢复使用", **_EVENT),
            Edge(S.IN_USE, S.WRITTEN_OFF, "write_off", "核销", style="danger", **_EVENT),
            Edge(S.STOPPED, S.WRITTEN_OFF, "write_off", "核销", style="danger", **_EVENT),
        ),
        refusal_format="{label}当前为“{state}”，不能{verb}",
    )
)
