"""PDFs of 一图一牌三清单: the 岗位安全风险告知牌 per risk unit (A4 / A3) and the three lists.

Text is set in WenQuanYi Micro Hei (CJK and Latin), shipped in ``anjian/static/fonts`` (Apache-2.0) and embedded
(subset) in every PDF, so the documents print where no Chinese font is installed.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from anjian.risks.choices import LEVEL_HEX, MeasureKind, RiskLevel

__all__ = ["FONT", "notice_card_pdf", "three_lists_pdf"]

FONT = "AnjianCJK"
FONT_PATH = Path(__file__).resolve().parent.parent / "static" / "fonts" / "wqy-microhei.ttc"
PAGE_SIZES = {"A4": A4, "A3": A3}


@functools.cache
def register_font() -> str:
    """Register the CJK font once per process."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
    return FONT


def _style(
    size: float, *, bold_colour: Any = colors.black, align: int = 0, leading: float | None = None
) -> ParagraphStyle:
    register_font()
    return ParagraphStyle(
        f"s{size}{align}",
        fontName=FONT,
        fontSize=size,
        leading=leading or size * 1.35,
        textColor=bold_colour,
        alignment=align,
        wordWrap="CJK",
    )


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _qr(url: str, size: float) -> Image:
    import qrcode

    image = qrcode.make(url, border=1)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    buf.seek(0)
    return Image(buf, width=size, height=size)


def notice_card_pdf(unit: Any, *, size: str = "A4", checklist_url: str) -> bytes:
    """The 岗位安全风险告知牌 of ``unit``: hazards, consequences, measures, emergency actions, phones, QR code."""
    register_font()
    page = PAGE_SIZES.get(size, A4)
    scale = 1.41 if size == "A3" else 1.0
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=12 * mm * scale,
        rightMargin=12 * mm * scale,
        topMargin=10 * mm * scale,
        bottomMargin=10 * mm * scale,
        title=f"岗位安全风险告知牌 {unit.name}",
        author="孛井滩示范区安全生产监管平台",
    )
    width = page[0] - 24 * mm * scale
    level = unit.level or "low"
    band = colors.HexColor(LEVEL_HEX.get(level, "#1f6fd1"))
    text_on_band = colors.black if level == "general" else colors.white
    events = list(unit.events.all())
    measures = [m for e in events for m in e.measures.all()]
    head = Table(
        [
            [_p("岗位安全风险告知牌", _style(22 * scale, bold_colour=text_on_band, align=TA_CENTER))],
            [
                _p(
                    f"风险等级：{RiskLevel(level).label if unit.level else '未评价'}",
                    _style(15 * scale, bold_colour=text_on_band, align=TA_CENTER),
                )
            ],
        ],
        colWidths=[width],
    )
    head.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), band),
                ("TOPPADDING", (0, 0), (-1, -1), 6 * scale),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6 * scale),
            ]
        )
    )
    label = _style(11 * scale)
    body = _style(10 * scale)
    liable = unit.liable_person.name if unit.liable_person_id else "—"
    info = [
        [
            _p("企业", label),
            _p(unit.enterprise.name, body),
            _p("风险分析对象", label),
            _p(unit.risk_object.name, body),
        ],
        [_p("风险分析单元", label), _p(unit.name, body), _p("岗位", label), _p(unit.post or "—", body)],
        [
            _p("包保责任人", label),
            _p(liable, body),
            _p("责任部门", label),
            _p(unit.risk_object.department or "—", body),
        ],
    ]
    hazards = unit.hazards or "；".join(e.name for e in events)
    consequences = "；".join(dict.fromkeys(e.consequence for e in events if e.consequence)) or "—"
    by_kind: dict[str, list[str]] = {}
    for m in measures:
        by_kind.setdefault(m.get_kind_display(), []).append(m.description)
    measure_text = "\n".join(f"【{k}】" + "；".join(v) for k, v in by_kind.items()) or "—"
    rows = [
        [_p("主要危险有害因素", label), _p(hazards or "—", body)],
        [
            _p("风险事件", label),
            _p("\n".join(f"{e.name}（{e.get_level_display() or '未评价'}）" for e in events) or "—", body),
        ],
        [_p("可能导致的后果", label), _p(consequences, body)],
        [_p("管控措施", label), _p(measure_text, body)],
        [_p("应急处置措施", label), _p(unit.emergency_actions or "—", body)],
        [_p("应急电话", label), _p(unit.emergency_phones or "火警 119　急救 120　报警 110", body)],
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ]
    )
    info_table = Table(info, colWidths=[width * 0.16, width * 0.34, width * 0.16, width * 0.34])
    info_table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    main = Table(rows, colWidths=[width * 0.2, width * 0.8])
    main.setStyle(grid)
    qr_size = 32 * mm * scale
    foot = Table(
        [
            [
                _qr(checklist_url, qr_size),
                _p(
                    "扫码打开本单元隐患排查表（手机）\n发现隐患请立即上报，不能立即消除的应采取防范措施并报告。",
                    body,
                ),
            ]
        ],
        colWidths=[qr_size + 6 * mm, width - qr_size - 6 * mm],
    )
    foot.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    band_row = Table([[""]], colWidths=[width], rowHeights=[5 * mm * scale])
    band_row.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), band)]))
    doc.build(
        [
            head,
            Spacer(1, 4 * mm),
            info_table,
            Spacer(1, 3 * mm),
            main,
            Spacer(1, 4 * mm),
            foot,
            Spacer(1, 3 * mm),
            band_row,
        ]
    )
    return buf.getvalue()


LIST_TITLES = ("安全风险清单（风险辨识清单）", "管控措施清单", "隐患排查清单")


def list_rows(
    units: list[Any], tasks_by_measure: dict[int, list[Any]]
) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """The three lists' rows (header first), shared by the PDF and Excel."""
    risks = [
        [
            "序号",
            "企业",
            "风险分析对象",
            "风险分析单元",
            "风险事件",
            "可能导致的后果",
            "评价方法",
            "风险值",
            "风险等级",
            "责任人",
        ]
    ]
    controls = [["序号", "风险分析单元", "风险事件", "风险等级", "管控方式", "管控措施", "责任人"]]
    checks = [["序号", "风险分析单元", "管控措施", "隐患排查内容", "排查周期", "排查人"]]
    for unit in units:
        for event in unit.events.all():
            risks.append(
                [
                    str(len(risks)),
                    unit.enterprise.name,
                    unit.risk_object.name,
                    unit.name,
                    event.name,
                    event.consequence or "",
                    event.get_method_display() if event.method else "",
                    f"{event.score.normalize():f}" if event.score is not None else "",
                    event.get_level_display() or "未评价",
                    unit.liable_person.name if unit.liable_person_id else "",
                ]
            )
            for m in event.measures.all():
                controls.append(
                    [
                        str(len(controls)),
                        unit.name,
                        event.name,
                        event.get_level_display() or "未评价",
                        m.get_kind_display(),
                        m.description,
                        m.liable_person.name if m.liable_person_id else "",
                    ]
                )
                tasks = tasks_by_measure.get(m.pk, [])
                checks.append(
                    [
                        str(len(checks)),
                        unit.name,
                        m.description,
                        m.check_content or m.description,
                        "、".join(sorted({t.get_cycle_display() for t in tasks})) or "未安排",
                        "、".join(sorted({str(t.assignee) for t in tasks if t.assignee_id})) or "",
                    ]
                )
    return risks, controls, checks


def three_lists_pdf(title: str, lists: tuple[list[list[str]], list[list[str]], list[list[str]]]) -> bytes:
    """The three lists as one landscape A4 PDF, one list per section."""
    register_font()
    page = landscape(A4)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=title,
    )
    width = page[0] - 20 * mm
    cell = _style(8)
    head = _style(9)
    story: list[Any] = []
    for i, (name, rows) in enumerate(zip(LIST_TITLES, lists, strict=True)):
        if i:
            story.append(PageBreak())
        story.append(_p(f"{title}　{name}", _style(14, align=TA_CENTER)))
        story.append(Spacer(1, 3 * mm))
        cols = len(rows[0])
        weights = [0.5] + [1.0] * (cols - 1)
        widths = [width * w / sum(weights) for w in weights]
        data = [[_p(c, head) for c in rows[0]]] + [[_p(c, cell) for c in r] for r in rows[1:]]
        if len(data) == 1:
            data.append([_p("（无）", cell)] + [""] * (cols - 1))
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return buf.getvalue()


_ = MeasureKind
