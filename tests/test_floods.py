"""The flood rules (crawler/floods.py) on value tables: no crawl."""

from __future__ import annotations

import pytest

from crawler.floods import ErrorRuns, TimeBudget
from crawler.traps import shape


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.gov.cn/many/17.html", "a.gov.cn/many/{n}.html"),
        ("http://a.gov.cn/many/9021.html", "a.gov.cn/many/{n}.html"),
        (
            "http://a.gov.cn/art/2024/3/13/art_12_345.html",
            "a.gov.cn/art/{n}/{n}/{n}/art_{n}_{n}.html",
        ),
        ("http://a.gov.cn/list.jsp?page=3&id=9", "a.gov.cn/list.jsp?id&page"),
        ("http://a.gov.cn/list.jsp?id=9&page=3", "a.gov.cn/list.jsp?id&page"),
        ("http://a.gov.cn/fzzfjs/", "a.gov.cn/fzzfjs/"),
        ("http://b.gov.cn:8080/many/1.html", "b.gov.cn:8080/many/{n}.html"),
    ],
)
def test_a_shape_generalises_digits_and_query_values(url: str, expected: str) -> None:
    assert shape(url) == expected


# answers of one shape, in order (True: an error); the index of the answer that retires it
RUNS = [
    ([True] * 3, 2),
    ([True, True, False, True, True, True], 5),  # a success starts the count again
    ([True, True, False, True, True], None),
    ([False] * 10, None),
    ([True] * 10, 2),  # retired once, reported once
]


@pytest.mark.parametrize(("answers", "retired_at"), RUNS)
def test_a_shape_retires_after_a_run_of_errors(answers: list[bool], retired_at: int | None) -> None:
    runs = ErrorRuns(limit=3)
    retired = [
        i
        for i, failed in enumerate(answers)
        if runs.answered("src", f"http://a.gov.cn/many/{i}.html", failed)
    ]
    assert retired == ([] if retired_at is None else [retired_at])
    assert runs.is_retired("src", "http://a.gov.cn/many/99999.html") is (retired_at is not None)


def test_retirement_is_per_source_and_shape() -> None:
    runs = ErrorRuns(limit=2)
    for n in range(2):
        runs.answered("a", f"http://x.gov.cn/many/{n}.html", True)
    assert runs.is_retired("a", "http://x.gov.cn/many/5.html")
    assert not runs.is_retired("b", "http://x.gov.cn/many/5.html")
    assert not runs.is_retired("a", "http://x.gov.cn/fzzfjs/t2024_5.html")


def test_errors_of_other_shapes_do_not_interleave() -> None:
    runs = ErrorRuns(limit=2)
    runs.answered("a", "http://x.gov.cn/many/1.html", True)
    runs.answered("a", "http://x.gov.cn/other/1.html", False)  # another shape: no reset
    assert runs.answered("a", "http://x.gov.cn/many/2.html", True) == "x.gov.cn/many/{n}.html"


def test_a_limit_of_zero_never_retires() -> None:
    runs = ErrorRuns(limit=0)
    assert not any(runs.answered("a", f"http://x/{n}", True) for n in range(100))
    assert not runs.is_retired("a", "http://x/1")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# seconds of budget, seconds since the source's first request: spent?
BUDGETS = [
    (3600, 0, False),
    (3600, 3599.9, False),
    (3600, 3600, True),
    (10, 11, True),
    (0, 10**6, False),  # 0: no time limit
]


@pytest.mark.parametrize(("seconds", "elapsed", "spent"), BUDGETS)
def test_the_time_budget_runs_from_a_sources_first_request(
    seconds: float, elapsed: float, spent: bool
) -> None:
    clock = Clock()
    budget = TimeBudget(seconds, clock)
    assert not budget.spent("a")  # the first request starts the clock
    clock.now += elapsed
    assert budget.spent("a") is spent
    assert not budget.spent("b")  # another source's clock starts now
