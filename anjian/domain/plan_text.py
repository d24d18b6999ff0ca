"""Parse the zone's work-safety plan text into tasks, responsible units, numeric targets and warnings.

Pure Python (no Django). The parser follows the plan's own structure, as the seed document
``shared/seed/safety-plan-2021-2025.txt`` ("安全生产“十四五”规划任务分解清单") writes it:

* the first line is the title, and the paragraphs before the first chapter are the preamble;
* chapters are headed "一、…" to "八、…" (a Chinese numeral and "、");
* each section, "（一）…", "(十四) …" or "( 十四 )…", is one task, coded ``<chapter>.<section>``
  (chapter 四, section 十四 → "4.14");
* a task has a title line, body paragraphs, then unit lines: "牵头单位：…" and "配合单位：…", or only
  "责任单位：…". Only a paragraph that *starts* with the label is a unit line. Units are separated by
  "、" and resolve through a :class:`~anjian.domain.org_names.UnitRegistry` (aliases such as "市监局",
  groups such as "两镇" kept under their own name);
* a numeric target is a rate, share or count stated in the body ("…达标率为100%", "…数量增加2家",
  "…不低于在职人员的75%"). Its deadline is a date written in the same sentence ("到2025年",
  "至2025年底", "2025年6月底前", "到“十四五”末" → ``plan_end``). A sentence without a date gives no deadline,
  and the parser warns instead of guessing one.

Text exported from a word processor is repaired first. A paragraph that a page break split mid-sentence
is joined to the next one. A paragraph continues when it does not end in sentence-ending punctuation
(。；！？：, optionally followed by a closing quote or bracket) and the next paragraph is not a heading or
unit line. Bare page-number lines are dropped. Spaces inside numbers and dates ("到 2025 年") and common
traditional characters ("人員") are folded, but only in the text used for matching. Task text stays as
written.

Each problem a reviewer must check comes back as a :class:`ParseWarning` with a Chinese message. The
parser never raises on a malformed document.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from anjian.domain.org_names import UnitRegistry

__all__ = [
    "WARNING_CODES",
    "WARNING_LABELS",
    "ParseWarning",
    "ParsedPlan",
    "ParsedTarget",
    "ParsedTask",
    "chinese_number",
    "chinese_numeral",
    "parse_plan",
    "plan_to_json",
    "simplify",
]

# Warning codes, as the CLI and the import page show them.
UNKNOWN_UNIT = "unknown_unit"
CONFLICTING_TARGETS = "conflicting_targets"
NO_UNIT = "no_unit"
TARGET_WITHOUT_DEADLINE = "target_without_deadline"
TRADITIONAL_CHARS = "traditional_chars"
SUSPICIOUS_UNIT_WORDING = "suspicious_unit_wording"
NUMBERING = "numbering"
TEXT_OUTSIDE_TASK = "text_outside_task"
NO_TASKS = "no_tasks"
WARNING_CODES = (
    UNKNOWN_UNIT,
    CONFLICTING_TARGETS,
    NO_UNIT,
    TARGET_WITHOUT_DEADLINE,
    TRADITIONAL_CHARS,
    SUSPICIOUS_UNIT_WORDING,
    NUMBERING,
    TEXT_OUTSIDE_TASK,
    NO_TASKS,
)
# Chinese names of the warning codes, for reviewers reading the plan page.
WARNING_LABELS: dict[str, str] = {
    UNKNOWN_UNIT: "单位未登记",
    CONFLICTING_TARGETS: "指标目标不一致",
    NO_UNIT: "任务无责任单位",
    TARGET_WITHOUT_DEADLINE: "指标无完成时限",
    TRADITIONAL_CHARS: "含繁体字",
    SUSPICIOUS_UNIT_WORDING: "措辞可疑",
    NUMBERING: "编号异常",
    TEXT_OUTSIDE_TASK: "任务外文字",
    NO_TASKS: "未识别到任务",
}


@dataclass(frozen=True)
class ParsedTarget:
    """A measurable goal stated in a task: ``indicator comparator value unit`` by ``deadline``."""

    indicator: str
    comparator: str  # ">=", "<=", "==", "+=" (increase by)
    value: float
    unit: str  # "%", "家", ...
    deadline: date | None
    source: str  # the sentence it came from, as written


@dataclass(frozen=True)
class ParsedTask:
    """One section of the plan: a task with its units and targets."""

    code: str  # "4.14"
    chapter: str  # "四"
    chapter_title: str
    section: int
    title: str
    text: str  # body paragraphs joined by "\n", page-break splits repaired
    lead_units: tuple[str, ...]
    cooperating_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    unresolved_units: tuple[str, ...]
    targets: tuple[ParsedTarget, ...]


@dataclass(frozen=True)
class ParseWarning:
    """Something a reviewer must check before the plan is imported."""

    code: str
    message: str  # Chinese, for reviewers
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class ParsedPlan:
    """The whole plan: title, preamble, tasks in document order, and sorted warnings."""

    title: str
    preamble: str
    tasks: tuple[ParsedTask, ...]
    warnings: tuple[ParseWarning, ...]


# --- text folding ----------------------------------------------------------------------------------

# Frequent traditional (or Japanese-form) characters that never occur in simplified Chinese text.
_TRADITIONAL = (
    "員员産产產产單单門门業业險险應应監监責责會会與与發发區区鎮镇時时現现證证書书標标準准國国實实設设"
    "備备檢检隱隐職职務务術术機机關关構构組组織织導导領领黨党級级類类規规劃划計计報报預预範范經经濟济"
    "營营運运輸输車车輛辆電电氣气鐵铁礦矿煉炼燒烧爐炉災灾護护衛卫園园廠厂場场這这為为爲为個个們们來来"
    "對对將将從从點点線线網网數数據据處处專专項项問问題题評评價价質质總总體体動动態态執执條条權权層层"
    "節节統统續续訓训練练習习記记錄录議议論论說说請请認认識识變变進进達达過过還还邊边違违軍军農农財财"
    "資资貨货費费買买賣卖傷伤醫医療疗藥药滅灭廢废棄弃汙污環环壞坏擴扩歷历縣县鄉乡辦办長长庫库倉仓糧粮"
    "團团隊队調调後后裡里裏里麼么係系並并內内緊紧測测驗验負负擔担學学裝装製制複复復复衝冲臺台颱台確确崗岗"
)
_SIMPLIFIED = str.maketrans(dict(zip(_TRADITIONAL[0::2], _TRADITIONAL[1::2], strict=True)))
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_SPACES_RE = re.compile(r"\s+")


def simplify(text: str) -> str:
    """Return ``text`` with the common traditional characters replaced by their simplified form."""
    return text.translate(_SIMPLIFIED)


def _traditional_chars(text: str) -> list[str]:
    """Return the traditional characters found in ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for char in text:
        if char.translate(_SIMPLIFIED) != char:
            seen.setdefault(char, None)
    return list(seen)


def _fold(text: str) -> str:
    """Return the matching form of ``text``: simplified, ASCII digits, no whitespace."""
    text = unicodedata.normalize("NFC", text)
    return _SPACES_RE.sub("", simplify(text).translate(_FULLWIDTH_DIGITS))


# --- Chinese numerals ------------------------------------------------------------------------------

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL_CHARS = "〇零一二三四五六七八九十百"


def chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral ("十四" → 14, "二十" → 20), or None if it is not one."""
    if not text or any(char not in _NUMERAL_CHARS for char in text):
        return None
    total, current = 0, 0
    for char in text:
        if char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _DIGITS[char]
    return total + current or None


def chinese_numeral(number: int) -> str:
    """Return ``number`` (1–99) written as a Chinese numeral (14 → "十四")."""
    names = "零一二三四五六七八九"
    tens, ones = divmod(number, 10)
    if tens == 0:
        return names[ones]
    return ("" if tens == 1 else names[tens]) + "十" + (names[ones] if ones else "")


# --- paragraphs and blocks -------------------------------------------------------------------------

_CHAPTER_RE = re.compile(rf"^([{_NUMERAL_CHARS}]+)\s*[、．.]\s*(\S.*)$")
_SECTION_RE = re.compile(rf"^[（(]\s*([{_NUMERAL_CHARS}]+)\s*[）)]\s*[、．.]?\s*(\S.*)$")
_UNIT_LINE_RE = re.compile(r"^(牵头|配合|责任)(?:单位|部门)\s*[：:]\s*(.*)$")
_UNIT_LABEL_RE = re.compile(r"(牵头|配合|责任)单位")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－~]*\s*\d{1,4}\s*[-—–－~]*|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?)$"
)
_ATTACHMENT_RE = re.compile(r"^附件\s*\d*\s*[：:]?$")
_SENTENCE_END = "。；！？：;!?:…"
_CLOSERS = "”’」』）)》】\"'"
_LIST_BREAKERS_RE = re.compile(r"[。，,；;！？!?]")
_MAX_HEADING = 60

_UNIT_ROLES = {"牵头": "lead", "配合": "cooperating", "责任": "responsible"}
_Kind = Literal["chapter", "section", "unit", "body"]


@dataclass
class _Block:
    """A heading, unit line or body paragraph after page-break repair."""

    kind: _Kind
    text: str
    number: int = 0
    title: str = ""
    role: str = ""
    line: str = ""  # a unit line as written, label included


def _ends_sentence(text: str) -> bool:
    """Tell whether a paragraph ends in sentence-ending punctuation (closing quotes ignored)."""
    stripped = text.rstrip(_CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _heading(line: str) -> _Block | None:
    """Return the chapter or section heading that ``line`` is, or None."""
    if len(line) > _MAX_HEADING or _ends_sentence(line):
        return None
    patterns: tuple[tuple[_Kind, re.Pattern[str]], ...] = (("section", _SECTION_RE), ("chapter", _CHAPTER_RE))
    for kind, pattern in patterns:
        match = pattern.match(line)
        number = chinese_number(match.group(1)) if match else None
        if match and number:
            return _Block(kind, line, number=number, title=match.group(2).strip())
    return None


def _unit_line(line: str) -> _Block | None:
    """Return the unit line that ``line`` is (it starts with 牵头/配合/责任单位 and a colon), or None."""
    match = _UNIT_LINE_RE.match(simplify(line))
    if match is None:
        return None
    value = line[match.start(2) :].strip()  # the same offsets: simplify() maps one char to one char
    return _Block("unit", value, role=_UNIT_ROLES[match.group(1)], line=line)


def _join(left: str, right: str) -> str:
    """Join two halves of a paragraph split by a page break (a space only between ASCII words)."""
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right


def _continues(block: _Block, line: str) -> bool:
    """Tell whether ``line`` continues ``block`` across a page break."""
    if _ends_sentence(block.text):
        return False
    if block.kind == "body":
        return True
    # A unit list split after "、" continues with more names, never with a sentence.
    return block.kind == "unit" and _LIST_BREAKERS_RE.search(line) is None


def _split_title(lines: list[str]) -> tuple[str, list[str]]:
    """Split the leading title line(s) off ``lines`` (short lines without sentence punctuation)."""
    title_lines: list[str] = []
    for index, line in enumerate(lines):
        is_heading = _heading(line) is not None or _unit_line(line) is not None
        if is_heading or len(line) > 80 or re.search(r"[，,。；;！？!?：:]", line):
            return " ".join(title_lines), lines[index:]
        if not _ATTACHMENT_RE.match(line):
            title_lines.append(line)
    return " ".join(title_lines), []


def _blocks(lines: Iterable[str]) -> list[_Block]:
    """Group the non-empty lines into headings, unit lines and body paragraphs, repairing page breaks."""
    blocks: list[_Block] = []
    for line in lines:
        block = _heading(line) or _unit_line(line)
        if block is not None:
            blocks.append(block)
        elif blocks and _continues(blocks[-1], line):
            blocks[-1].text = _join(blocks[-1].text, line)
            blocks[-1].line = _join(blocks[-1].line, line) if blocks[-1].line else ""
        else:
            blocks.append(_Block("body", line))
    return blocks


def _lines(text: str) -> list[str]:
    """Return the non-empty, stripped lines of ``text`` without bare page numbers."""
    text = text.replace("\ufeff", "").replace("\f", "\n").replace("\r\n", "\n").replace("\r", "\n")
    stripped = (line.strip() for line in text.split("\n"))
    return [line for line in stripped if line and not _PAGE_NUMBER_RE.match(line)]


# --- targets ---------------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(%|‰|家|个|项|所|座|处|支|名|人次|人|次|台|套|辆)")
_COMPARATORS = {
    **dict.fromkeys(
        (
            "不低于",
            "不少于",
            "不小于",
            "提高到",
            "提高至",
            "提升到",
            "提升至",
            "增加到",
            "增加至",
            "达到",
            "保持在",
            "稳定在",
            "达",
            "为",
        ),
        ">=",
    ),
    **dict.fromkeys(("不高于", "不超过", "不大于", "不多于", "控制在"), "<="),
    "等于": "==",
    **dict.fromkeys(("增加", "新增", "增长", "提高", "提升"), "+="),
}
_COMPARATOR_WORDS = "|".join(sorted(_COMPARATORS, key=len, reverse=True))
_BEFORE_RE = re.compile(rf"^(?P<ind>.*?)(?:(?P<cmp>{_COMPARATOR_WORDS})(?P<base>[^的]{{1,10}}的)?)?$")
_AFTER = (("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="))
_CLAUSE_SPLIT_RE = re.compile(r"[，,；;：:]")
_SENTENCE_RE = re.compile(r"[^。！？!?]+[。！？!?]*[”’」』]?")
_QUOTES_RE = re.compile(r"[“”‘’「」『』\"']")
_FILLERS = ("力争创建", "力争", "确保", "实现", "争取", "努力", "其中", "全示范区", "示范区", "全区")
_DATE_WORDS_RE = re.compile(
    r"(?:力争)?(?:到|至|于|在|截至|截止到|截止)?(?:\d{4}年(?:\d{1,2}月)?(?:底前|底|末|以前|之前|前|内)?"
    r"|[“\"]?十四五[”\"]?(?:末|期末|时期末|期间|时期)|规划期(?:末|内))"
)
_RATE_ENDINGS = ("率", "比例", "占比")
_COUNT_ENDINGS = ("数量", "数")
_DATE_RE = re.compile(
    r"(?P<pre>力争到|力争至|截至|截止到|截止|到|至)?(?P<year>\d{4})年(?:(?P<month>\d{1,2})月)?"
    r"(?P<post>底前|底|末|以前|之前|前|内)?"
)
_PLAN_END_RE = re.compile(r"十四五[”’\"]?(?:末|期末|时期末|期间|时期)|规划期(?:末|内)")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def _sentences(text: str) -> Iterator[str]:
    """Yield the sentences of ``text`` (paragraphs split at 。！？), as written."""
    for paragraph in text.split("\n"):
        for match in _SENTENCE_RE.finditer(paragraph):
            sentence = match.group().strip()
            if sentence:
                yield sentence


def _dates(folded: str, plan_end: date) -> list[tuple[int, date]]:
    """Return (position, deadline) for each deadline phrase in a folded sentence."""
    found: list[tuple[int, date]] = []
    for match in _DATE_RE.finditer(folded):
        if not (match.group("pre") or match.group("post")):
            continue  # a bare year ("2021年印发") is not a deadline
        year, month = int(match.group("year")), int(match.group("month") or 12)
        if 1 <= month <= 12:
            found.append((match.start(), date(year, month, calendar.monthrange(year, month)[1])))
    found += [(match.start(), plan_end) for match in _PLAN_END_RE.finditer(folded)]
    return sorted(found)


def _deadline_at(position: int, dates: list[tuple[int, date]]) -> date | None:
    """Return the nearest deadline before ``position`` in the sentence, else the first one after it."""
    before = [deadline for start, deadline in dates if start < position]
    if before:
        return before[-1]
    return dates[0][1] if dates else None


def _clean_indicator(text: str) -> str:
    """Strip quotes, dates and leading filler words ("力争", "示范区") from an indicator name."""
    text = _QUOTES_RE.sub("", _DATE_WORDS_RE.sub("", text))
    previous = None
    while previous != text:
        previous = text
        for filler in _FILLERS:
            text = text.removeprefix(filler)
    return text


def _indicator(before: str, after: str, unit: str) -> tuple[str, str] | None:
    """Return (indicator, comparator) for the number that follows ``before``, or None if not a target."""
    match = _BEFORE_RE.match(before)
    if match is None:  # pragma: no cover - the pattern matches every string
        return None
    word = match.group("cmp")
    comparator = _COMPARATORS[word] if word else ">="
    for suffix, direction in _AFTER:
        if after.startswith(suffix) and comparator != "+=":
            comparator = direction
    indicator = _clean_indicator(match.group("ind"))
    if unit in ("%", "‰"):
        if not indicator.endswith(_RATE_ENDINGS):
            if not word or comparator == "+=":
                return None  # a bare percentage of something that is not a rate
            base = match.group("base")
            indicator += ("占" + _clean_indicator(base[:-1]) if base else "") + "比例"
    elif comparator != "+=" and not indicator.endswith(_COUNT_ENDINGS):
        return None  # a count of something that is not a 数量 indicator (lengths, hours … never match)
    if len(_CJK_RE.findall(indicator)) < 2:
        return None
    return indicator, comparator


def _targets(text: str, plan_end: date) -> list[ParsedTarget]:
    """Extract the rate, share and count targets stated in a task body, with their deadlines."""
    targets: list[ParsedTarget] = []
    for sentence in _sentences(text):
        folded = _fold(sentence)
        dates = _dates(folded, plan_end)
        offset = 0
        for clause in _CLAUSE_SPLIT_RE.split(folded):
            last_end = 0
            for match in _NUMBER_RE.finditer(clause):
                before, after = clause[last_end : match.start()], clause[match.end() : match.end() + 3]
                last_end = match.end()
                found = _indicator(before, after, match.group(2))
                if found is None:
                    continue
                target = ParsedTarget(
                    indicator=found[0],
                    comparator=found[1],
                    value=float(match.group(1)),
                    unit=match.group(2),
                    deadline=_deadline_at(offset + match.start(), dates),
                    source=sentence,
                )
                if target not in targets:
                    targets.append(target)
            offset += len(clause) + 1
    return targets


# --- units -----------------------------------------------------------------------------------------

_UNIT_SPLIT_RE = re.compile(r"[、，,；;]+")


def _resolve_units(value: str, registry: UnitRegistry) -> tuple[list[str], list[str]]:
    """Resolve a unit line's names: (names, canonical or as written; names that did not resolve)."""
    names: list[str] = []
    unresolved: list[str] = []
    for raw in _UNIT_SPLIT_RE.split(value):
        raw = raw.strip().rstrip("。.")
        if not raw:
            continue
        entry = registry.resolve(simplify(raw))
        pieces = raw.split()
        if entry is None and len(pieces) > 1 and all(registry.resolve(simplify(p)) for p in pieces):
            resolved = [registry.resolve(simplify(piece)) for piece in pieces]  # names separated by spaces
            names += [item.name for item in resolved if item is not None]
        elif entry is not None:
            names.append(entry.name)
        else:
            names.append(raw)
            unresolved.append(raw)
    return list(dict.fromkeys(names)), list(dict.fromkeys(unresolved))


# --- assembling the plan ---------------------------------------------------------------------------


@dataclass
class _Draft:
    """A task while its paragraphs and unit lines are being collected."""

    chapter: int
    chapter_title: str
    section: int
    title: str
    paragraphs: list[str] = field(default_factory=list)
    unit_lines: list[str] = field(default_factory=list)
    units: dict[str, list[str]] = field(default_factory=lambda: {role: [] for role in _UNIT_ROLES.values()})

    @property
    def code(self) -> str:
        """Return the task code, "<chapter>.<section>"."""
        return f"{self.chapter}.{self.section}"


def _code_key(code: str) -> tuple[int, ...]:
    """Sort key for task codes: "4.10" after "4.9"."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def _warning_key(warning: ParseWarning) -> tuple[str, list[tuple[int, ...]], str]:
    """Sort key for warnings: by code, then by the tasks they name (document order), then by message."""
    return warning.code, [_code_key(code) for code in warning.tasks], warning.message


def _format_target(target: ParsedTarget) -> str:
    """Return a target as reviewers read it: "≥80%（期限2025-12-31）"."""
    symbol = {">=": "≥", "<=": "≤", "==": "=", "+=": "增加"}[target.comparator]
    deadline = f"期限{target.deadline.isoformat()}" if target.deadline else "无期限"
    return f"{symbol}{_number(target.value)}{target.unit}（{deadline}）"


def _number(value: float) -> int | float:
    """Return ``value`` as an int when it is integral."""
    return int(value) if value.is_integer() else value


class _Assembler:
    """Walk the blocks in order, build tasks and collect warnings."""

    def __init__(self, registry: UnitRegistry, plan_end: date) -> None:
        self.registry = registry
        self.plan_end = plan_end
        self.preamble: list[str] = []
        self.drafts: list[_Draft] = []
        self.warnings: list[ParseWarning] = []
        self.chapter = 0
        self.chapter_title = ""
        self.section = 0

    def warn(self, code: str, message: str, tasks: Iterable[str] = ()) -> None:
        """Record a warning."""
        self.warnings.append(ParseWarning(code, message, tuple(tasks)))

    def feed(self, block: _Block) -> None:
        """Take the next block of the document."""
        if block.kind == "chapter":
            if block.number != self.chapter + 1:
                after = f"第{chinese_numeral(self.chapter)}章之后" if self.chapter else "第一个章标题"
                expected = chinese_numeral(self.chapter + 1)
                self.warn(
                    NUMBERING,
                    f"章编号不连续：{after}是“{block.text}”，应为“{expected}、”，请核对是否漏章或错号。",
                )
            self.chapter, self.chapter_title, self.section = block.number, block.title, 0
        elif block.kind == "section" and self.chapter:
            if block.number != self.section + 1:
                code = f"{self.chapter}.{block.number}"
                self.warn(
                    NUMBERING,
                    f"节编号不连续：第{chinese_numeral(self.chapter)}章中“{block.text}”前一节是"
                    f"（{chinese_numeral(self.section) if self.section else '无'}），应为"
                    f"（{chinese_numeral(self.section + 1)}），请核对是否漏项、重号或错号。",
                    [code],
                )
            self.section = block.number
            self.drafts.append(_Draft(self.chapter, self.chapter_title, block.number, block.title))
        elif self.drafts and self.drafts[-1].chapter == self.chapter and self.section:
            draft = self.drafts[-1]
            if block.kind == "unit":
                draft.units[block.role].append(block.text)
                draft.unit_lines.append(block.line)
            else:
                draft.paragraphs.append(block.text)
        elif not self.chapter and block.kind == "body":
            self.preamble.append(block.text)
        else:
            where = f"第{chinese_numeral(self.chapter)}章的第一节之前" if self.chapter else "第一章之前"
            self.warn(
                TEXT_OUTSIDE_TASK,
                f"{where}有不属于任何任务的文字，未导入：“{block.text[:40]}”。请核对标题格式。",
            )

    def task(self, draft: _Draft) -> ParsedTask:
        """Turn a draft into a task, warning about its units, wording and characters."""
        code = draft.code
        text = "\n".join(draft.paragraphs)
        roles: dict[str, list[str]] = {}
        unresolved: list[str] = []
        for role, values in draft.units.items():
            names: list[str] = []
            for value in values:
                found, missing = _resolve_units(value, self.registry)
                names += found
                unresolved += missing
            roles[role] = list(dict.fromkeys(names))
        if not roles["lead"] and not roles["responsible"]:
            only = "只有配合单位，" if roles["cooperating"] else ""
            self.warn(NO_UNIT, f"任务{code}“{draft.title}”{only}没有写明牵头单位或责任单位，请补充。", [code])
        self._check_wording(code, text)
        chars = _traditional_chars(" ".join([draft.title, text, *draft.unit_lines]))
        if chars:
            listed = "、".join(f"“{char}”（应为“{simplify(char)}”）" for char in chars)
            self.warn(
                TRADITIONAL_CHARS,
                f"任务{code}含繁体字{listed}。解析时已按简体字识别单位和指标，"
                "任务正文保留原文，请在原文中改正。",
                [code],
            )
        return ParsedTask(
            code=code,
            chapter=chinese_numeral(draft.chapter),
            chapter_title=draft.chapter_title,
            section=draft.section,
            title=draft.title,
            text=text,
            lead_units=tuple(roles["lead"]),
            cooperating_units=tuple(roles["cooperating"]),
            responsible_units=tuple(roles["responsible"]),
            unresolved_units=tuple(dict.fromkeys(unresolved)),
            targets=tuple(_targets(text, self.plan_end)),
        )

    def _check_wording(self, code: str, text: str) -> None:
        """Warn when the body quotes a unit label mid-sentence (e.g. "第一配合单位")."""
        folded = simplify(text)
        snippets = [folded[max(0, m.start() - 2) : m.end()] for m in _UNIT_LABEL_RE.finditer(folded)]
        if not snippets:
            return
        listed = "、".join(f"“{snippet}”" for snippet in dict.fromkeys(snippets))
        hint = (
            "，例如原文“第一责任人”被替换成了“第一配合单位”"
            if any(s.startswith("第一") for s in snippets)
            else ""
        )
        self.warn(
            SUSPICIOUS_UNIT_WORDING,
            f"任务{code}的正文中出现单位标签{listed}（共{len(snippets)}处）。"
            f"单位标签只应出现在行首的单位行中，正文里的可能是文字替换造成的误改{hint}，请核对措辞。",
            [code],
        )

    def finish(self, title: str) -> ParsedPlan:
        """Build the plan and the warnings that span tasks."""
        tasks = tuple(self.task(draft) for draft in self.drafts)
        if not tasks:
            self.warn(NO_TASKS, "未识别出任何任务：请确认章标题形如“一、…”，节标题形如“（一）…”。")
        self._unknown_units(tasks)
        self._deadlines(tasks)
        self._conflicts(tasks)
        title_chars = _traditional_chars(title + "".join(self.preamble))
        if title_chars:
            self.warn(TRADITIONAL_CHARS, f"标题或前言含繁体字{'、'.join(title_chars)}，请在原文中改正。")
        warnings = sorted(set(self.warnings), key=_warning_key)
        preamble = "\n".join(self.preamble)
        return ParsedPlan(title=title, preamble=preamble, tasks=tasks, warnings=tuple(warnings))

    def _unknown_units(self, tasks: tuple[ParsedTask, ...]) -> None:
        """Warn once per unit name that the registry does not know, naming the tasks that use it."""
        users: dict[str, list[str]] = {}
        for task in tasks:
            for name in task.unresolved_units:
                users.setdefault(name, []).append(task.code)
        for name, codes in users.items():
            self.warn(
                UNKNOWN_UNIT,
                f"单位“{name}”不在单位名录中（任务{'、'.join(codes)}），已按原文保留；"
                "请核对名称，或在单位名录中添加该单位或别名。",
                codes,
            )

    def _deadlines(self, tasks: tuple[ParsedTask, ...]) -> None:
        """Warn about targets whose sentence states no deadline."""
        for task in tasks:
            open_ended = [t for t in task.targets if t.deadline is None]
            if open_ended:
                listed = "、".join(f"“{t.indicator}”{_format_target(t)}" for t in open_ended)
                self.warn(
                    TARGET_WITHOUT_DEADLINE,
                    f"任务{task.code}的指标{listed}所在句子没有写明完成时限"
                    f"（如“到2025年”“2025年底前”），期限暂留空；请确认是否按规划期末"
                    f"（{self.plan_end.isoformat()}）考核。",
                    [task.code],
                )

    def _conflicts(self, tasks: tuple[ParsedTask, ...]) -> None:
        """Warn when the same indicator has different goals (in different tasks or the same one)."""
        by_indicator: dict[str, list[tuple[str, ParsedTarget]]] = {}
        for task in tasks:
            for target in task.targets:
                by_indicator.setdefault(target.indicator, []).append((task.code, target))
        for indicator, uses in by_indicator.items():
            goals = {(t.comparator, t.value, t.unit, t.deadline) for _, t in uses}
            if len(goals) < 2:
                continue
            listed = "，".join(f"任务{code}为{_format_target(t)}" for code, t in uses)
            codes = list(dict.fromkeys(code for code, _ in uses))
            self.warn(
                CONFLICTING_TARGETS, f"指标“{indicator}”的目标不一致：{listed}。请核对以哪一项为准。", codes
            )


def parse_plan(text: str, registry: UnitRegistry, *, plan_end: date = date(2025, 12, 31)) -> ParsedPlan:
    """Parse the plan ``text`` into tasks, units resolved through ``registry``, targets and warnings."""
    title, lines = _split_title(_lines(text))
    assembler = _Assembler(registry, plan_end)
    for block in _blocks(lines):
        assembler.feed(block)
    return assembler.finish(title)


def plan_to_json(plan: ParsedPlan) -> dict[str, Any]:
    """Return the plan in the JSON shape of ``anjian plan parse FILE --json``."""
    return {
        "title": plan.title,
        "tasks": [
            {
                "code": task.code,
                "chapter": task.chapter,
                "title": task.title,
                "text": task.text,
                "lead_units": list(task.lead_units),
                "cooperating_units": list(task.cooperating_units),
                "responsible_units": list(task.responsible_units),
                "targets": [
                    {
                        "indicator": target.indicator,
                        "comparator": target.comparator,
                        "value": _number(target.value),
                        "unit": target.unit,
                        "deadline": target.deadline.isoformat() if target.deadline else None,
                    }
                    for target in task.targets
                ],
            }
            for task in plan.tasks
        ],
        "warnings": [
            {"code": warning.code, "message": warning.message, "tasks": list(warning.tasks)}
            for warning in plan.warnings
        ],
    }
