"""Forms of the plans pages. Validation of the model fields lives in the models' ``clean()``."""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify

from anjian.core import metrics
from anjian.plans.choices import ReportStatus
from anjian.plans.constants import METRIC_BINDINGS

if TYPE_CHECKING:
    from anjian.orgs.models import OrgUnit
    from anjian.plans.models import Plan, PlanTask


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (evidence uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """File a quarterly progress report: 季度, 状态, 进展情况, 佐证材料."""

    period = forms.ChoiceField(label="季度")
    # No default: a report that silently says 未开始 is worse than one that asks (issue 7).
    status = forms.ChoiceField(label="状态", choices=[("", "请选择"), *ReportStatus.choices])
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 6}))
    evidence = MultipleFileField(
        label="佐证材料", required=False, help_text="可上传多个文件（照片、会议纪要、文件等）"
    )

    def __init__(self, *args: Any, periods: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["period"]).choices = periods

    def year_quarter(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["period"].split("-")
        return int(year), int(quarter)


class NoticeForm(forms.Form):
    """Send a 督办 notice."""

    # The querysets are set per request in ``__init__``.
    unit: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(label="督办单位", queryset=None)
    task: forms.ModelChoiceField[PlanTask] = forms.ModelChoiceField(
        label="相关任务", queryset=None, required=False
    )
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="督办内容", widget=forms.Textarea(attrs={"rows": 5}))
    due_date = forms.DateField(
        label="办理期限", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], tasks: QuerySet[PlanTask], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[OrgUnit]", self.fields["unit"]).queryset = units
        cast("forms.ModelChoiceField[PlanTask]", self.fields["task"]).queryset = tasks


class NoticeStepForm(forms.Form):
    """签收 / 回复 / 办结: an optional note, and the answer text for 回复."""

    answer = forms.CharField(label="回复内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reason = forms.CharField(label="备注", required=False, max_length=500)


def metric_choices() -> list[tuple[str, str]]:
    """Registered metrics plus the keys the import mapping knows (marked 尚未接入 when not registered)."""
    choices: dict[str, str] = {"": "（不绑定）"}
    for definition in metrics.registered():
        choices[definition.key] = f"{definition.label}（{definition.key}）"
    for _pattern, key in METRIC_BINDINGS:
        choices.setdefault(key, f"{key}（尚未接入）")
    return list(choices.items())


class TargetBindForm(forms.Form):
    """Bind a target to a metric (committee office)."""

    metric_key = forms.CharField(label="绑定指标", required=False, max_length=100)
    reason = forms.CharField(label="原因", required=False, max_length=500)


class ReportImportForm(forms.Form):
    """Upload an Excel file of progress reports."""

    file = forms.FileField(label="Excel 文件", help_text="列：任务编号、单位、年度、季度、状态、进展情况")


# ---------------------------------------------------------------------------------------------------
# Plan import (the committee office's page for ``anjian plan import``)
# ---------------------------------------------------------------------------------------------------

PLAN_TEXT_MAX_BYTES = 2 * 1024 * 1024
NEW_PLAN = ":new"  # not a valid slug, so it never collides with a plan code
ENCODING_ERROR = (
    "无法识别文件编码：请上传 UTF-8 或 GBK（GB18030）编码的纯文本文件（.txt），不要上传 Word、PDF 等文件。"
)
# Whitespace control characters a plan text may contain; any other control character means a binary file.
_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def _looks_like_text(text: str) -> bool:
    return not any((ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F) and ch not in _TEXT_CONTROLS for ch in text)


def normalize_newlines(text: str) -> str:
    """Line ends as ``\\n``, as ``Path.read_text`` gives them to the CLI (so the same file has the same hash)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_plan_bytes(data: bytes) -> tuple[str, str]:
    """Decode an uploaded plan text; return ``(text, encoding label)`` or raise a Chinese ``ValidationError``.

    UTF-8 (with or without BOM) first, then GB18030, the superset of GBK/GB2312 that Windows tools in
    China save by default; UTF-16 only with its BOM (Notepad's "Unicode"). A decoding that yields
    control characters other than whitespace is a binary file, not text.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "UTF-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8", "UTF-8"), ("gb18030", "GBK（GB18030）")]
    for codec, label in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return normalize_newlines(text), label
    raise forms.ValidationError(ENCODING_ERROR, code="encoding")


class PlanImportForm(forms.Form):
    """Step 1 of the plan import: which plan, and the text (uploaded file or pasted)."""

    target = forms.ChoiceField(label="导入方式")
    file = forms.FileField(
        label="规划文本文件",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
        help_text="纯文本文件（.txt），UTF-8 或 GBK 编码均可",
    )
    text = forms.CharField(
        label="或粘贴规划全文",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "从规划文件中复制全文，粘贴到这里"}),
    )
    code = forms.SlugField(
        label="新规划编号",
        required=False,
        max_length=64,
        help_text="仅新建规划时使用，只能含字母、数字、连字符；留空则按文件名或规划期自动生成",
    )
    start = forms.DateField(
        label="规划期起始", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="规划期截止", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {p.code: p for p in plans}
        choices = [(p.code, f"修订：{p.title}（{p.code}）") for p in plans] + [(NEW_PLAN, "新建规划")]
        target = cast(forms.ChoiceField, self.fields["target"])
        target.choices = choices
        target.initial = choices[0][0]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > PLAN_TEXT_MAX_BYTES:
            raise forms.ValidationError(
                "文件过大（超过 2 MB）。规划文本通常只有几十 KB，请确认上传的是规划原文。"
            )
        return upload

    def clean(self) -> dict[str, Any]:
        from anjian.plans.plan_import import period_from_title

        data = super().clean() or self.cleaned_data
        upload, pasted = data.get("file"), data.get("text") or ""
        if self.errors:
            return data
        if upload and pasted.strip():
            raise forms.ValidationError("请上传文件或粘贴文本，二者选其一。")
        if upload:
            raw = upload.read()
            try:
                text, encoding = decode_plan_bytes(raw)
            except forms.ValidationError as exc:
                self.add_error("file", exc)
                return data
            hint = Path(upload.name or "").stem
            source = f"上传文件 {upload.name}（{encoding} 编码）"
        elif pasted.strip():
            if len(pasted.encode("utf-8")) > PLAN_TEXT_MAX_BYTES:
                raise forms.ValidationError("粘贴的文本过长（超过 2 MB）。")
            # A pasted text ends like a saved file (one newline), so pasting a file's content matches its hash.
            text, hint, source = normalize_newlines(pasted).rstrip() + "\n", "", "粘贴文本"
        else:
            raise forms.ValidationError("请上传规划文本文件，或把规划全文粘贴到文本框中。")
        if not text.strip():
            self.add_error("file" if upload else "text", "文本为空。")
            return data
        if not _looks_like_text(text):
            self.add_error("text", "文本中含有控制字符，请粘贴纯文本。")
            return data
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError("规划期起始和截止日期需同时填写，或都留空（从标题识别）。")
        if start and end and end < start:
            self.add_error("end", "截止日期不能早于起始日期。")
            return data
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        period = (start, end) if start and end else period_from_title(first_line, hint)
        if period is None:
            self.add_error("start", "无法从标题识别规划期（如“十四五”“2021-2025”），请填写规划期起止日期。")
            return data
        data.update(text=text, hint=hint, source=source, code=self._plan_code(data, hint, period))
        return data

    def _plan_code(self, data: dict[str, Any], hint: str, period: tuple[dt.date, dt.date]) -> str:
        """The plan to revise, or a free code for a new plan."""
        from anjian.plans.models import Plan

        if data["target"] != NEW_PLAN:
            return str(data["target"])
        code: str = data.get("code") or ""
        if code:
            existing = Plan.objects.filter(code=code).only("title").first()
            if existing is not None:
                self.add_error(
                    "code",
                    f"编号“{code}”已被规划“{existing.title}”使用；如要修订该规划，请在导入方式中选择它。",
                )
            return code
        base = slugify(hint) or f"plan-{period[0].year}-{period[1].year}"
        taken = set(Plan.objects.filter(code__startswith=base).values_list("code", flat=True))
        code, n = base, 2
        while code in taken:
            code, n = f"{base}-{n}", n + 1
        return code


class PlanImportConfirmForm(forms.Form):
    """Step 2: confirm the previewed import with a reason; the text and the signed preview travel hidden."""

    token = forms.CharField(widget=forms.HiddenInput)
    payload = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="导入/修订原因",
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "如：区安委会2024年第2次会议审议通过的修订稿"}
        ),
        error_messages={"required": "请填写导入或修订的原因（将记入操作记录）。"},
    )

    @staticmethod
    def encode_text(text: str) -> str:
        """The text for the hidden field: base64, so browsers cannot normalise line ends or whitespace."""
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def decoded_text(self) -> str | None:
        """The text carried from the preview, or ``None`` if the field is not valid base64 UTF-8."""
        try:
            raw = base64.b64decode(self.data.get("payload", ""), validate=True)
            return raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
