"""Anatomy quality: figure precision and recall on the labelled real reports, and whether the
outline and the parts come out as labelled, report by report; synthetic texts apart, never in
the measured figures.

    .venv/bin/python -m bench.anatomy

A figure counts as found only when every field is the label's (indicator, value, unit, year,
evidence and its offsets): a right number in the wrong sentence is a false positive and a miss.
"""

from __future__ import annotations

import time

from archive.anatomy.analysis import analyse, to_json
from tests.anatomy_fixtures import Labelled, load_labelled, score

TARGET_PRECISION, TARGET_RECALL = 0.98, 0.8


def main() -> None:
    cases = load_labelled()
    for name, chosen in (
        ("real (measured)", [c for c in cases if c.real]),
        ("synthetic (rules only, not measured)", [c for c in cases if not c.real]),
    ):
        _report(name, chosen)


def _report(name: str, cases: list[Labelled]) -> None:
    print(f"\n{name}: {len(cases)} texts, {sum(len(c.text) for c in cases)} characters")
    print(f"{'text':<52} {'figs':>4} {'tp':>3} {'fp':>3} {'fn':>3} {'outline':>7} {'parts':>5}")
    totals = [0, 0, 0]
    started = time.perf_counter()
    for case in cases:
        got = to_json(analyse(case.text, case.report_year, case.agency))
        tp, fp, fn = score(got["figures"], case.figures())
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        outline = got["sections"] == case.expected["sections"]
        parts = got["parts_present"] == case.expected["parts_present"]
        print(
            f"{case.id:<52} {len(case.figures()):>4} {tp:>3} {fp:>3} {fn:>3} "
            f"{'ok' if outline else 'WRONG':>7} {'ok' if parts else 'WRONG':>5}"
        )
    elapsed = time.perf_counter() - started
    tp, fp, fn = totals
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"figures labelled {tp + fn}, found {tp + fp}: precision {precision:.3f} "
        f"(target ≥ {TARGET_PRECISION}), recall {recall:.3f} (target ≥ {TARGET_RECALL}); "
        f"{elapsed / max(len(cases), 1) * 1000:.1f} ms a text"
    )


if __name__ == "__main__":
    main()
