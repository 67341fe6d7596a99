"""The rules read the province stores each on its own: a store that is down holds up no other.

A rule's query goes to every store of the shard map (``ShardMap.stores``) in parallel; the answers of the
stores that answered are merged exactly as :class:`pdcs.storage.federated.FederatedInfluxDB` merges them
(:func:`pdcs.storage.federated.merge`, which still refuses a series two stores answer). The provinces of a
store that did not answer are *blind* for that rule this cycle: the evaluator neither opens nor resolves
their alerts from the missing data (``evaluator.py``), and a device the inventory expects there is not
counted as silent. Only when every store fails does the rule fail, as with one store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from pdcs.storage import InfluxDB, InfluxError
from pdcs.storage.federated import merge
from pdcs.storage.influx import Series

T = TypeVar("T")


@dataclass(frozen=True)
class Blind:
    """Which resources a rule could not read this cycle: those whose province's store did not answer."""

    failed: frozenset[int] = frozenset()  # indexes of the stores that did not answer
    index_of: Callable[[str], int] | None = None  # province code → index of its store

    def __call__(self, tags: Mapping[str, str]) -> bool:
        if not self.failed or self.index_of is None:
            return False
        return self.index_of(tags.get("province", "")) in self.failed


SEEING = Blind()


class StoreSet:
    """The stores of a shard map as ``ShardMap.stores()`` lists them (``None``: the default store)."""

    def __init__(self, stores: Sequence[tuple[frozenset[str] | None, InfluxDB]]) -> None:
        self.stores = list(stores)
        self.default = next((i for i, (codes, _) in enumerate(self.stores) if codes is None), 0)
        self.by_province = {code: i for i, (codes, _) in enumerate(self.stores) for code in codes or ()}

    def index_of(self, province: str) -> int:
        return self.by_province.get(province[:2], self.default)

    def name(self, index: int) -> str:
        """A store as logs and reports name it: URL, database and the provinces it holds (no credentials)."""
        codes, db = self.stores[index]
        held = ",".join(sorted(codes)) if codes else "default"
        return f"{db.url} {db.database} [{held}]"

    def each(
        self, call: Callable[[InfluxDB], T], down: Mapping[int, str] | None = None
    ) -> tuple[list[T], dict[int, str]]:
        """``call`` on every store in parallel: the answers of those that answered, the others' errors.

        A store in ``down`` (it failed earlier this cycle) is not asked again: one that times out costs
        its time-out once per cycle, not once per rule. Raises an :class:`InfluxError` when no store
        answered (one store: exactly as before)."""
        down = down or {}

        def one(index: int) -> T | InfluxError:
            if index in down:
                return InfluxError(down[index])
            try:
                return call(self.stores[index][1])
            except InfluxError as exc:
                return exc

        if len(self.stores) == 1:
            results: list[T | InfluxError] = [one(0)]
        else:
            with ThreadPoolExecutor(max_workers=min(len(self.stores), 16)) as pool:
                results = list(pool.map(one, range(len(self.stores))))
        errors = {i: r for i, r in enumerate(results) if isinstance(r, InfluxError)}
        if len(errors) == len(results):
            raise errors[0]
        return [r for r in results if not isinstance(r, InfluxError)], {i: str(e) for i, e in errors.items()}

    def query(self, q: str, down: Mapping[int, str] | None = None) -> tuple[list[Series], dict[int, str]]:
        """A rule's query over the stores that answer (``down``: not asked); the others' errors by index."""
        answers, errors = self.each(lambda db: db.query(q, epoch="ms"), down)
        return merge(answers, show=q.lstrip().upper().startswith("SHOW")), errors

    def blind(self, errors: Mapping[int, str]) -> Blind:
        return Blind(frozenset(errors), self.index_of) if errors else SEEING
