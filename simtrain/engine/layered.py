"""Immutable collections that share their bulk between successive team states.

A team's visit counts, choices made and decision path only ever grow. Copying them whole
on every event made applying one choice cost O(everything so far) (1 ms after 5,000
visited scenes). Here each frozen collection is a large *base*, shared by many states and
never changed, plus a small *top* of recent changes; a draft copies only the top, and
folds it into a new base once it has :data:`TOP_LIMIT` entries — O(1) amortised per event.
The frozen kinds are read-only ``Mapping`` / ``Set`` / ``Sequence`` objects, so readers
see the same interface as a ``dict`` / ``frozenset`` / ``tuple`` (and compare equal to one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from itertools import chain
from typing import Any, TypeVar, overload

T = TypeVar("T")
V = TypeVar("V")

TOP_LIMIT = 64
"""Recent changes kept apart before they are folded into a new shared base."""


class LayeredMap(Mapping[str, V]):
    """A read-only mapping: the ``top`` entries over the ``base`` ones."""

    __slots__ = ("_base", "_len", "_top")

    def __init__(self, base: dict[str, V], top: dict[str, V]) -> None:
        self._base = base
        self._top = top
        self._len = len(base) + sum(1 for k in top if k not in base)

    def __getitem__(self, key: str) -> V:
        top = self._top
        if key in top:
            return top[key]
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        return key in self._top or key in self._base

    def __iter__(self) -> Iterator[str]:
        top = self._top
        yield from top
        yield from (k for k in self._base if k not in top)

    def __len__(self) -> int:
        return self._len

    def __repr__(self) -> str:
        return f"LayeredMap({dict(self)!r})"

    def thaw(self) -> DraftMap[V]:
        """A mutable copy that shares the base."""
        return DraftMap(self._base, dict(self._top))


class DraftMap(dict[str, V]):
    """A draft's mapping: a ``dict`` of recent changes over a shared, unchanging base.

    Only the operations the rules use are layered: ``d[k]``, ``d[k] = v``, ``get``,
    ``in``, iteration and ``len``.
    """

    __slots__ = ("_base",)

    def __init__(self, base: dict[str, V], top: dict[str, V]) -> None:
        super().__init__(top)
        self._base = base

    def __missing__(self, key: str) -> V:
        return self._base[key]

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self._base.get(key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._base

    def __iter__(self) -> Iterator[str]:
        yield from dict.__iter__(self)
        yield from (k for k in self._base if not dict.__contains__(self, k))

    def __len__(self) -> int:
        return len(self._base) + sum(1 for k in dict.__iter__(self) if k not in self._base)

    def items(self) -> Any:
        return ((k, self[k]) for k in self)

    def counts(self, keys: tuple[str, ...]) -> tuple[Any, ...]:
        """The value of each of ``keys``, 0 where absent (a search's state key): for
        positive counts, as the visits are."""
        base, top = self._base, dict.get
        return tuple([top(self, k) or base.get(k, 0) for k in keys])

    def freeze(self) -> LayeredMap[V]:
        """An immutable snapshot (the draft may go on changing afterwards)."""
        if dict.__len__(self) >= TOP_LIMIT:
            return LayeredMap({**self._base, **dict(dict.items(self))}, {})
        return LayeredMap(self._base, dict(dict.items(self)))

    def copy(self) -> DraftMap[V]:
        """An independent draft with the same entries (sharing the base), for a search
        that branches one draft into many without freezing each."""
        top = dict.copy(self)  # the top alone, as a plain dict (at C speed)
        if len(top) >= TOP_LIMIT:
            return DraftMap({**self._base, **top}, {})
        return DraftMap(self._base, top)


class LayeredSet(Set[str]):
    """A read-only set: ``base`` ∪ ``top``."""

    __slots__ = ("_base", "_len", "_top")

    def __init__(self, base: frozenset[str], top: frozenset[str]) -> None:
        self._base = base
        self._top = top
        self._len = len(base) + sum(1 for k in top if k not in base)

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> frozenset[Any]:
        return frozenset(it)

    def __contains__(self, key: object) -> bool:
        return key in self._top or key in self._base

    def __iter__(self) -> Iterator[str]:
        return chain(self._base, (k for k in self._top if k not in self._base))

    def __len__(self) -> int:
        return self._len

    def __hash__(self) -> int:
        return self._hash()

    def __repr__(self) -> str:
        return f"LayeredSet({set(self)!r})"

    def thaw(self) -> DraftSet:
        """A mutable copy that shares the base."""
        return DraftSet(self._base, set(self._top))


class DraftSet(set[str]):
    """A draft's set: a ``set`` of recent additions over a shared, unchanging base."""

    __slots__ = ("_base",)

    def __init__(self, base: frozenset[str], top: Iterable[str]) -> None:
        super().__init__(top)
        self._base = base

    def __contains__(self, key: object) -> bool:
        return set.__contains__(self, key) or key in self._base

    def __iter__(self) -> Iterator[str]:
        return chain(self._base, (k for k in set.__iter__(self) if k not in self._base))

    def __len__(self) -> int:
        return len(self._base) + sum(1 for k in set.__iter__(self) if k not in self._base)

    def add(self, key: str) -> None:
        if key not in self._base:
            set.add(self, key)

    def among(self, wanted: frozenset[str]) -> frozenset[str]:
        """The members of ``wanted`` in this set (a search's state key)."""
        return wanted.intersection(self._base).union(set.intersection(self, wanted))

    def freeze(self) -> LayeredSet:
        """An immutable snapshot."""
        top = frozenset(set.__iter__(self))
        if len(top) >= TOP_LIMIT:
            return LayeredSet(self._base | top, frozenset())
        return LayeredSet(self._base, top)

    def copy(self) -> DraftSet:
        """An independent draft with the same members (sharing the base)."""
        top = set.copy(self)  # the top alone, as a plain set
        if len(top) >= TOP_LIMIT:
            return DraftSet(self._base.union(top), ())
        return DraftSet(self._base, top)


class LayeredSeq(Sequence[T]):
    """A read-only sequence: ``base`` followed by ``top``."""

    __slots__ = ("_base", "_top")

    def __init__(self, base: tuple[T, ...], top: tuple[T, ...]) -> None:
        self._base = base
        self._top = top

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return (self._base + self._top)[index]
        size = len(self._base)
        if index < 0:
            index += size + len(self._top)
            if index < 0:
                raise IndexError("index out of range")
        return self._base[index] if index < size else self._top[index - size]

    def __iter__(self) -> Iterator[T]:
        return chain(self._base, self._top)

    def __len__(self) -> int:
        return len(self._base) + len(self._top)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LayeredSeq | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"LayeredSeq({list(self)!r})"

    def thaw(self) -> DraftSeq[T]:
        """A mutable copy that shares the base."""
        return DraftSeq(self._base, self._top)


class DraftSeq(list[T]):
    """A draft's sequence: a ``list`` of recent items after a shared, unchanging base."""

    __slots__ = ("_base",)

    def __init__(self, base: tuple[T, ...], top: Iterable[T]) -> None:
        super().__init__(top)
        self._base = base

    def __iter__(self) -> Iterator[T]:
        return chain(self._base, list.__iter__(self))

    def __len__(self) -> int:
        return len(self._base) + list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        return LayeredSeq(self._base, tuple(list.__iter__(self)))[index]

    def freeze(self) -> LayeredSeq[T]:
        """An immutable snapshot."""
        top = tuple(list.__iter__(self))
        if len(top) >= TOP_LIMIT:
            return LayeredSeq(self._base + top, ())
        return LayeredSeq(self._base, top)

    def copy(self) -> DraftSeq[T]:
        """An independent draft with the same items (sharing the base)."""
        top = list.copy(self)  # the top alone, as a plain list
        if len(top) >= TOP_LIMIT:
            return DraftSeq(self._base + tuple(top), ())
        return DraftSeq(self._base, top)
