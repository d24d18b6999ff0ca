"""Drawing a transition table as SVG geometry (states in a column, edges as labelled curves).

Forward steps to the next state are straight arrows; longer forward jumps curve on the right, steps back
curve on the left, so the picture stays narrow enough for a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from anjian.core.workflow import Workflow, ordered_states

__all__ = ["Diagram", "diagram"]

NODE_W, NODE_H, GAP, TOP = 150, 36, 96, 24
CENTRE_X = 250  # room on the left for the labels of steps back


@dataclass(frozen=True)
class Node:
    value: str
    label: str
    colour: str
    x: float
    y: float
    w: float = NODE_W
    h: float = NODE_H

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Arrow:
    path: str
    label: str
    lx: float
    ly: float
    anchor: str


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    nodes: list[Node]
    arrows: list[Arrow]


def diagram(workflow: Workflow) -> Diagram:
    """Node boxes and edge paths for ``workflow``."""
    order = ordered_states(workflow)
    colour_of = getattr(workflow.states, "colour_of", lambda _v: "secondary")
    nodes = {
        v: Node(v, workflow.state_label(v), colour_of(v), CENTRE_X - NODE_W / 2, TOP + i * GAP)
        for i, v in enumerate(order)
    }
    arrows: list[Arrow] = []
    bends: dict[str, int] = {"right": 0, "left": 0}
    for edge in workflow.edges:
        a, b = nodes[str(edge.source)], nodes[str(edge.target)]
        ia, ib = order.index(a.value), order.index(b.value)
        if ib == ia + 1:
            x = a.cx
            arrows.append(
                Arrow(
                    f"M{x},{a.y + a.h} L{x},{b.y - 4}", edge.label, x + 8, (a.y + a.h + b.y) / 2 + 4, "start"
                )
            )
            continue
        if ia == ib:
            x0 = a.x
            path = (
                f"M{x0},{a.y + 8} C{x0 - 60},{a.y - 14} {x0 - 60},{a.y + a.h + 14} {x0 - 4},{a.y + a.h - 8}"
            )
            arrows.append(Arrow(path, edge.label, x0 - 48, a.cy + 4, "end"))
            continue
        side = "right" if ib > ia else "left"
        bends[side] += 1
        reach = 40 + 22 * bends[side] + 8 * abs(ib - ia)
        if side == "right":
            x0, x1 = a.x + a.w, b.x + b.w
            cx = x0 + reach
            lx, anchor = x0 + reach * 0.75 + 4, "start"
        else:
            x0, x1 = a.x, b.x
            cx = x0 - reach
            lx, anchor = x0 - reach * 0.75 - 4, "end"
        path = f"M{x0},{a.cy} C{cx},{a.cy} {cx},{b.cy} {x1 + (4 if side == 'right' else -4)},{b.cy}"
        arrows.append(Arrow(path, edge.label, lx, (a.cy + b.cy) / 2 + 4, anchor))
    height = int(TOP * 2 + max(len(order) - 1, 0) * GAP + NODE_H)
    # wide enough for the longest label on the right (a CJK character is about 12.5 px at font-size 12)
    right = max((a.lx + 12.5 * len(a.label) for a in arrows if a.anchor == "start"), default=0)
    width = int(max(2 * CENTRE_X, right + 8))
    return Diagram(width=width, height=height, nodes=list(nodes.values()), arrows=arrows)
