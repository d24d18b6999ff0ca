"""Resolve organisation names as a document writes them to the zone's canonical unit names.

Pure Python (no Django): the plan parser and the org registry both use it. A unit is known by its
canonical ``name`` plus any number of aliases ("市监局" → "市场监督管理局"); a *group* ("两镇",
"安委会各成员单位") is kept under its own name and expands to its members.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["UnitEntry", "UnitRegistry", "normalize_name"]

# Full-width / half-width brackets and spaces that documents mix freely.
_TRANSLATE = str.maketrans({"(": "（", ")": "）", " ": "", "\u3000": "", "\u00a0": ""})


def normalize_name(text: str) -> str:
    """Return ``text`` in one canonical spelling: NFKC-folded, full-width brackets, no spaces."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return folded.translate(_TRANSLATE)


@dataclass(frozen=True)
class UnitEntry:
    """One unit or group as the registry knows it."""

    name: str
    aliases: tuple[str, ...] = ()
    is_group: bool = False
    members: tuple[str, ...] = field(default=())


class UnitRegistry:
    """Look-up from any spelling of a unit (name or alias) to its canonical entry."""

    def __init__(self, entries: Iterable[UnitEntry]) -> None:
        self._by_key: dict[str, UnitEntry] = {}
        self._entries: dict[str, UnitEntry] = {}
        for entry in entries:
            self._entries[entry.name] = entry
            for spelling in (entry.name, *entry.aliases):
                self._by_key[normalize_name(spelling)] = entry

    def resolve(self, text: str) -> UnitEntry | None:
        """Return the entry that ``text`` names, or ``None`` when no unit or alias matches."""
        return self._by_key.get(normalize_name(text))

    def members(self, name: str) -> tuple[str, ...]:
        """Return the canonical member names of group ``name`` (itself for a plain unit)."""
        entry = self._entries.get(name)
        if entry is None:
            return ()
        return entry.members if entry.is_group else (entry.name,)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.resolve(text) is not None

    def __iter__(self) -> Iterator[UnitEntry]:
        return iter(self._entries.values())
