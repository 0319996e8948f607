"""`@frozen`: an immutable record, checked as a frozen dataclass and made without frozen's guards.

Python 3.11 builds `__setattr__`/`__delattr__` guards for every frozen dataclass as it is imported
(~0.14 ms a class; 26 lie on the way of `status`). mypy enforces the immutability from this
declaration instead (PEP 681, `frozen_default`); the class keeps its fields' equality and hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, dataclass_transform, overload

T = TypeVar("T")


@overload
def frozen(cls: type[T], /) -> type[T]: ...
@overload
def frozen(*, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(
    cls: type[T] | None = None, /, *, slots: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """A dataclass with equality and a hash over its fields, frozen for the type checker."""

    def make(c: type[T]) -> type[T]:
        return dataclass(c, unsafe_hash=True, slots=slots)

    return make if cls is None else make(cls)
