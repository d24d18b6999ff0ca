"""Identification and grading of major hazard installations by GB 18218-2018《危险化学品重大危险源辨识》.

A unit (生产单元 or 储存单元, §3.5, §3.6) holds hazardous chemicals with their maximum quantities q (t).

* Critical quantity Q (§4.1.2): a chemical named in **Table 1** takes its Table 1 quantity; any other
  hazardous chemical takes the quantity of its hazard category in **Table 2** (symbols J1…J5, W1.1…W11).
* Identification (§4.2.2): S = q1/Q1 + q2/Q2 + … + qn/Qn; **S ≥ 1** makes the unit a 重大危险源.
* Grading (§4.3): R = α·(β1·q1/Q1 + … + βn·qn/Qn) with β from **Table 3** for the named toxic gases and
  from **Table 4** by hazard category otherwise, α from **Table 5** by the number of residents within 500 m
  of the plant boundary; the grade follows from R in **Table 6** (一级 R ≥ 100, 二级 50 ≤ R < 100,
  三级 10 ≤ R < 50, 四级 R < 10).

A Table 1 chemical that is not a Table 3 gas takes β from Table 4 by its hazard category. The category of
each named chemical is kept with the tables (``data/gb18218/table1_named_chemicals.csv``, assigned from its
GHS classification); a category given in the input wins over it. Arithmetic is exact (``Fraction``) so that
the boundaries S = 1 and R = 10, 50, 100 fall on the side the standard says.

Bad input is an error that names the substance (:class:`IdentificationError`), never a silent zero.
The module has no Django import; the tables ship inside the package.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from anjian.domain.check_digits import cas_check_digit, check_cas

__all__ = [
    "GRADE_LABELS",
    "Category",
    "Chemical",
    "Contribution",
    "IdentificationError",
    "Result",
    "SubstanceInput",
    "alpha_for",
    "categories",
    "chemicals",
    "grade_for",
    "identify",
    "identify_unit",
    "lookup",
    "parse_unit",
    "result_to_json",
    "toxic_gas_beta",
]

DATA_DIR = Path(__file__).parent / "data" / "gb18218"

#: Grade number → Chinese label (Table 6).
GRADE_LABELS: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

#: β for a named chemical whose GHS classification falls in no Table 2 category (every Table 4 category
#: other than J1, J3, J4, W1.x, W2, W5.1, W6.1 and W7.1 has β = 1).
DEFAULT_BETA = Fraction(1)


class IdentificationError(ValueError):
    """Bad input for the calculation; ``message`` is Chinese and names the substance when there is one."""

    def __init__(self, message: str, substance: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.substance = substance
        self.index = index


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chemical:
    """A row of Table 1 (危险化学品名称及其临界量)."""

    seq: int
    name: str
    aliases: tuple[str, ...]
    cas: tuple[str, ...]
    critical_t: Fraction
    category: str | None  # Table 2 symbol from its GHS classification (not part of Table 1)
    note: str = ""


@dataclass(frozen=True)
class Category:
    """A row of Table 2 (hazard category and its critical quantity) joined with its Table 4 β."""

    symbol: str
    hazard_class: str
    description: str
    critical_t: Fraction
    beta: Fraction


@dataclass(frozen=True)
class AlphaBand:
    """A row of Table 5: residents within 500 m → α."""

    min_people: int
    max_people: int | None
    alpha: Fraction
    label: str


def _fraction(text: str) -> Fraction:
    return Fraction(Decimal(text.strip()))


def normalize_name(value: str) -> str:
    """Fold full-width forms and case, drop spaces: ``"氯化氢（无水）"`` → ``"氯化氢(无水)"``."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).lower()


def _rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def categories() -> dict[str, Category]:
    """Table 2 with Table 4's β, by symbol (``"W5.1"``)."""
    result: dict[str, Category] = {}
    for row in _rows("table2_table4_categories.csv"):
        symbol = row["symbol"].strip().upper()
        result[symbol] = Category(
            symbol=symbol,
            hazard_class=row["hazard_class"],
            description=row["description"],
            critical_t=_fraction(row["critical_t"]),
            beta=_fraction(row["beta"]),
        )
    return result


@cache
def chemicals() -> tuple[Chemical, ...]:
    """Table 1, in the standard's order; every CAS passes its check digit and every category exists."""
    known = categories()
    result: list[Chemical] = []
    for row in _rows("table1_named_chemicals.csv"):
        cas = tuple(c for c in row["cas"].split(";") if c)
        for number in cas:
            body, _, digit = number.rpartition("-")
            if str(cas_check_digit(body)) != digit:  # a data error, found when the tables load
                raise RuntimeError(f"GB 18218 table 1 row {row['seq']}: bad CAS {number}")
        category = row["category"].strip().upper() or None
        if category is not None and category not in known:
            raise RuntimeError(f"GB 18218 table 1 row {row['seq']}: unknown category {category}")
        result.append(
            Chemical(
                seq=int(row["seq"]),
                name=row["name"],
                aliases=tuple(a for a in row["aliases"].split(";") if a),
                cas=cas,
                critical_t=_fraction(row["critical_t"]),
                category=category,
                note=row["note"],
            )
        )
    return tuple(result)


@cache
def _index() -> tuple[dict[str, list[Chemical]], dict[str, list[Chemical]]]:
    by_name: dict[str, list[Chemical]] = {}
    by_cas: dict[str, list[Chemical]] = {}
    for chem in chemicals():
        keys = {normalize_name(chem.name), *(normalize_name(a) for a in chem.aliases)}
        for key in keys:
            by_name.setdefault(key, []).append(chem)
        for number in chem.cas:
            by_cas.setdefault(number, []).append(chem)
    return by_name, by_cas


@cache
def _toxic_gases() -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    by_name: dict[str, Fraction] = {}
    by_cas: dict[str, Fraction] = {}
    for row in _rows("table3_toxic_gas_beta.csv"):
        beta = _fraction(row["beta"])
        by_name[normalize_name(row["name"])] = beta
        by_cas[row["cas"]] = beta
    return by_name, by_cas


def toxic_gas_beta(chemical: Chemical) -> Fraction | None:
    """β of ``chemical`` from Table 3 when it is one of the named toxic gases, else ``None``."""
    by_name, by_cas = _toxic_gases()
    for number in chemical.cas:
        if number in by_cas:
            return by_cas[number]
    for name in (chemical.name, *chemical.aliases):
        beta = by_name.get(normalize_name(name))
        if beta is not None:
            return beta
    return None


@cache
def _alpha_bands() -> tuple[AlphaBand, ...]:
    bands = []
    for row in _rows("table5_alpha.csv"):
        bands.append(
            AlphaBand(
                min_people=int(row["min_people"]),
                max_people=int(row["max_people"]) if row["max_people"] else None,
                alpha=_fraction(row["alpha"]),
                label=row["label"],
            )
        )
    return tuple(bands)


@cache
def _grade_bands() -> tuple[tuple[int, Fraction | None, Fraction | None], ...]:
    bands = []
    for row in _rows("table6_grades.csv"):
        low = _fraction(row["min_r_inclusive"]) if row["min_r_inclusive"] else None
        high = _fraction(row["max_r_exclusive"]) if row["max_r_exclusive"] else None
        bands.append((int(row["grade"]), low, high))
    return tuple(bands)


def alpha_for(population: int) -> tuple[Fraction, str]:
    """α and its Table 5 band for ``population`` residents within 500 m of the plant boundary."""
    if population < 0:
        raise IdentificationError("厂区边界外500米范围内常住人口数不能为负数")
    for band in _alpha_bands():
        if band.min_people <= population and (band.max_people is None or population <= band.max_people):
            return band.alpha, band.label
    raise AssertionError(f"Table 5 has no band for {population}")  # the bands cover every integer ≥ 0


def grade_for(r_value: Fraction | Decimal | float | int) -> int:
    """The grade (1 = 一级 … 4 = 四级) of ``r_value`` by Table 6."""
    value = Fraction(r_value)
    for grade, low, high in _grade_bands():
        if (low is None or value >= low) and (high is None or value < high):
            return grade
    raise AssertionError(f"Table 6 has no band for {r_value}")


# ---------------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------------


def _label(name: str | None, cas: str | None, index: int | None) -> str:
    if name and name.strip():
        return name.strip()
    if cas and cas.strip():
        return f"CAS {cas.strip()}"
    return f"第{index + 1}种物质" if index is not None else "该物质"


def lookup(name: str | None = None, cas: str | None = None, *, index: int | None = None) -> Chemical | None:
    """The Table 1 chemical named by ``name`` (Chinese name or alias) and/or ``cas``; ``None`` if not in Table 1.

    A CAS number is checked first (format and check digit). A name or CAS that fits several rows
    (e.g. the six 硝化纤维素 rows share 9004-70-0) is an error asking for the exact row, and a name and a
    CAS naming different chemicals is an error too.
    """
    label = _label(name, cas, index)
    by_name, by_cas = _index()
    by_cas_hit: list[Chemical] = []
    if cas and cas.strip():
        checked = check_cas(cas)
        if not checked.valid:
            raise IdentificationError(f"“{label}”的{checked.message}", label, index)
        by_cas_hit = by_cas.get(checked.normalized, [])
    by_name_hit: list[Chemical] = by_name.get(normalize_name(name), []) if name and name.strip() else []
    if by_name_hit and by_cas_hit:
        both = [c for c in by_name_hit if c in by_cas_hit]
        if not both:
            raise IdentificationError(
                f"“{label}”的名称对应表1“{by_name_hit[0].name}”，而CAS号 {cas} 对应“{by_cas_hit[0].name}”，请核对",
                label,
                index,
            )
        hits = both
    else:
        hits = by_name_hit or by_cas_hit
    if len(hits) > 1:
        names = "、".join(c.name for c in hits)
        raise IdentificationError(
            f"“{label}”对应表1中多个条目（{names}），请填写完整名称以区分", label, index
        )
    return hits[0] if hits else None


# ---------------------------------------------------------------------------------------------
# Calculation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubstanceInput:
    """One substance of a unit: a name and/or CAS, an optional hazard category, the maximum quantity q (t)."""

    q: Fraction | Decimal | float | int | None
    name: str | None = None
    cas: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Contribution:
    """How one substance enters S and R, with the table each number comes from."""

    substance: str  # as the input named it
    matched: str | None  # the Table 1 name, if any
    table1_seq: int | None
    cas: str | None
    category: str | None  # the category used (input, or kept for a Table 1 chemical)
    category_source: str  # "input" | "table1" | ""
    q: Fraction
    critical_t: Fraction
    critical_source: str  # "表1" | "表2"
    beta: Fraction
    beta_source: str  # "表3" | "表4" | "默认"
    ratio: Fraction  # q/Q
    weighted: Fraction  # β·q/Q
    explanation: str


@dataclass(frozen=True)
class Result:
    """The identification (S, is_major) and, for a 重大危险源, the grading (α, R, grade)."""

    s_value: Fraction
    is_major: bool
    population: int
    alpha: Fraction
    alpha_label: str
    r_value: Fraction | None
    grade: int | None
    contributions: tuple[Contribution, ...]
    explanation: tuple[str, ...] = field(default_factory=tuple)

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS[self.grade] if self.grade else "不构成重大危险源"


def _fmt(value: Fraction, places: int = 4) -> str:
    """A short decimal for explanations: 10, 0.6, 0.3333."""
    text = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
    return text if text not in {"", "-0"} else "0"


def _quantity(value: Any, label: str, index: int | None) -> Fraction:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise IdentificationError(f"“{label}”缺少最大存量q（吨）", label, index)
    if isinstance(value, bool):
        raise IdentificationError(f"“{label}”的最大存量q应为数字（吨）", label, index)
    if isinstance(value, float) and not math.isfinite(value):
        raise IdentificationError(f"“{label}”的最大存量q不是有限数", label, index)
    try:
        if isinstance(value, Fraction):
            number = value
        elif isinstance(value, float):
            number = Fraction(Decimal(repr(value)))
        else:
            number = Fraction(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError, TypeError, OverflowError) as exc:
        raise IdentificationError(f"“{label}”的最大存量q“{value}”不是数字（吨）", label, index) from exc
    if number < 0:
        raise IdentificationError(f"“{label}”的最大存量q不能为负数（{_fmt(number)} 吨）", label, index)
    return number


def _category(value: str | None, label: str, index: int | None) -> Category | None:
    if value is None or not str(value).strip():
        return None
    symbol = normalize_name(str(value)).upper()
    found = categories().get(symbol)
    if found is None:
        raise IdentificationError(
            f"“{label}”的危险性类别“{value}”不是GB 18218-2018表2中的类别（应为J1～J5、W1.1～W11，如W5.1）",
            label,
            index,
        )
    return found


def contribution(item: SubstanceInput, index: int | None = None) -> Contribution:
    """Q, β and q/Q of one substance, or an :class:`IdentificationError` naming it."""
    label = _label(item.name, item.cas, index)
    q = _quantity(item.q, label, index)
    explicit = _category(item.category, label, index)
    chemical = lookup(item.name, item.cas, index=index)
    if chemical is not None:
        critical, critical_source = chemical.critical_t, "表1"
        cat_symbol = explicit.symbol if explicit else chemical.category
        cat_source = "input" if explicit else ("table1" if chemical.category else "")
        gas_beta = toxic_gas_beta(chemical)
        if gas_beta is not None:
            beta, beta_source = gas_beta, "表3"
            beta_text = f"β={_fmt(beta)}（表3 毒性气体）"
        elif cat_symbol is not None:
            beta, beta_source = categories()[cat_symbol].beta, "表4"
            whose = "输入指定" if explicit else "该物质"
            beta_text = f"β={_fmt(beta)}（表4，{whose}类别{cat_symbol}）"
        else:
            beta, beta_source = DEFAULT_BETA, "默认"
            beta_text = f"β={_fmt(beta)}（其GHS分类不属于表2任何类别，取表4其他类别的值1）"
        where = f"表1第{chemical.seq}项“{chemical.name}”"
    else:
        if explicit is None:
            raise IdentificationError(
                f"“{label}”不在GB 18218-2018表1中，请给出其危险性类别（表2代号，如W5.1、J3）", label, index
            )
        critical, critical_source = explicit.critical_t, "表2"
        cat_symbol, cat_source = explicit.symbol, "input"
        beta, beta_source = explicit.beta, "表4"
        beta_text = f"β={_fmt(beta)}（表4 类别{explicit.symbol}）"
        where = f"表2 类别{explicit.symbol}（{explicit.hazard_class}，{explicit.description}）"
    ratio = q / critical
    weighted = beta * ratio
    explanation = (
        f"{label}：{where}，临界量Q={_fmt(critical)} t；q/Q={_fmt(q)}/{_fmt(critical)}={_fmt(ratio)}；"
        f"{beta_text}；β·q/Q={_fmt(weighted)}"
    )
    return Contribution(
        substance=label if (item.name or "").strip() or chemical is None else chemical.name,
        matched=chemical.name if chemical else None,
        table1_seq=chemical.seq if chemical else None,
        cas=(item.cas or "").strip() or (chemical.cas[0] if chemical and chemical.cas else None),
        category=cat_symbol,
        category_source=cat_source,
        q=q,
        critical_t=critical,
        critical_source=critical_source,
        beta=beta,
        beta_source=beta_source,
        ratio=ratio,
        weighted=weighted,
        explanation=explanation,
    )


def identify(substances: Sequence[SubstanceInput], population: int) -> Result:
    """Identify and grade one unit (GB 18218-2018 §4.2, §4.3). Raises :class:`IdentificationError`."""
    if isinstance(population, bool) or not isinstance(population, int):
        raise IdentificationError("厂区边界外500米范围内常住人口数应为整数")
    if not substances:
        raise IdentificationError("单元内没有危险化学品，无法辨识")
    alpha, alpha_label = alpha_for(population)
    parts = tuple(contribution(item, index) for index, item in enumerate(substances))
    s_value = sum((p.ratio for p in parts), Fraction(0))
    is_major = s_value >= 1
    terms = " + ".join(_fmt(p.ratio) for p in parts)
    lines = [f"S=Σq/Q={terms}={_fmt(s_value)}" if len(parts) > 1 else f"S=q/Q={_fmt(s_value)}"]
    if not is_major:
        lines.append("S<1，不构成重大危险源（GB 18218-2018 4.2.2）")
        return Result(s_value, False, population, alpha, alpha_label, None, None, parts, tuple(lines))
    weighted = sum((p.weighted for p in parts), Fraction(0))
    r_value = alpha * weighted
    grade = grade_for(r_value)
    lines.append("S≥1，构成重大危险源（GB 18218-2018 4.2.2）")
    lines.append(f"α={_fmt(alpha)}（厂区边界外500米范围内常住人口{population}人，表5“{alpha_label}”）")
    lines.append(f"R=α·Σβq/Q={_fmt(alpha)}×{_fmt(weighted)}={_fmt(r_value)}")
    bounds = {1: "R≥100", 2: "50≤R<100", 3: "10≤R<50", 4: "R<10"}
    lines.append(f"{bounds[grade]}，{GRADE_LABELS[grade]}重大危险源（表6）")
    return Result(s_value, True, population, alpha, alpha_label, r_value, grade, parts, tuple(lines))


# ---------------------------------------------------------------------------------------------
# JSON in and out (CLI and API)
# ---------------------------------------------------------------------------------------------


def parse_unit(data: Any) -> tuple[list[SubstanceInput], int]:
    """Read ``{"population": 60, "substances": [{"name"|"cas", "category"?, "q"}, …]}``."""
    if not isinstance(data, Mapping):
        raise IdentificationError('输入应为对象：{"population": 人数, "substances": [...]}')
    population = data.get("population")
    if population is None:
        raise IdentificationError("缺少厂区边界外500米范围内常住人口数（population）")
    if isinstance(population, bool):
        raise IdentificationError("常住人口数（population）应为非负整数")
    if isinstance(population, float) and population.is_integer():
        population = int(population)
    if isinstance(population, str) and population.strip().isdigit():
        population = int(population.strip())
    if not isinstance(population, int) or population < 0:
        raise IdentificationError(f"常住人口数（population）应为非负整数，而不是“{population}”")
    raw = data.get("substances")
    if not isinstance(raw, list) or not raw:
        raise IdentificationError("缺少危险化学品清单（substances），应为非空列表")
    items: list[SubstanceInput] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            raise IdentificationError(f"第{index + 1}种物质应为对象", None, index)
        name, cas, category = entry.get("name"), entry.get("cas"), entry.get("category")
        for key, value in (("name", name), ("cas", cas), ("category", category)):
            if value is not None and not isinstance(value, str):
                label = _label(name if isinstance(name, str) else None, None, index)
                raise IdentificationError(f"“{label}”的{key}应为文本", label, index)
        if not (name or "").strip() and not (cas or "").strip():
            raise IdentificationError(f"第{index + 1}种物质缺少名称（name）或CAS号（cas）", None, index)
        items.append(SubstanceInput(q=entry.get("q"), name=name, cas=cas, category=category))
    return items, population


def identify_unit(data: Any) -> Result:
    """:func:`parse_unit` then :func:`identify`."""
    substances, population = parse_unit(data)
    return identify(substances, population)


def _number(value: Fraction, places: int = 6) -> float | int:
    if value.denominator == 1:
        return int(value)
    return round(float(value), places)


def result_to_json(result: Result, *, detailed: bool = False) -> dict[str, Any]:
    """The issue's JSON shape: ``{"S", "is_major", "R", "grade", "contributions": [{substance, q, Q, beta, ratio}]}``.

    ``detailed`` adds α, the population, the grade label, each contribution's sources and the explanation.
    """
    contributions: list[dict[str, Any]] = []
    for part in result.contributions:
        row: dict[str, Any] = {
            "substance": part.substance,
            "q": _number(part.q),
            "Q": _number(part.critical_t),
            "beta": _number(part.beta),
            "ratio": _number(part.ratio),
        }
        if detailed:
            row.update(
                {
                    "matched": part.matched,
                    "table1_seq": part.table1_seq,
                    "cas": part.cas,
                    "category": part.category,
                    "Q_source": part.critical_source,
                    "beta_source": part.beta_source,
                    "weighted": _number(part.weighted),
                    "explanation": part.explanation,
                }
            )
        contributions.append(row)
    out: dict[str, Any] = {
        "S": _number(result.s_value),
        "is_major": result.is_major,
        "R": _number(result.r_value) if result.r_value is not None else None,
        "grade": result.grade,
        "contributions": contributions,
    }
    if detailed:
        out.update(
            {
                "alpha": _number(result.alpha),
                "population": result.population,
                "grade_label": result.grade_label,
                "explanation": list(result.explanation),
            }
        )
    return out


def substances_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[SubstanceInput]:
    """Inputs from stored inventory rows (``substance``, ``cas``, ``category``, ``max_quantity_t``)."""
    return [
        SubstanceInput(
            q=row.get("max_quantity_t"),
            name=row.get("substance") or None,
            cas=row.get("cas") or None,
            category=row.get("category") or None,
        )
        for row in rows
    ]
