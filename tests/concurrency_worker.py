"""One of two OS processes changing the same task at once (tests/test_concurrency.py).

Usage: python -m tests.concurrency_worker TASK_ID ATTEMPTS NAME [blind]
Each attempt reads the task's state, picks the next legal state and writes it — passing the
version it saw (`expected_version`), or, with `blind`, not passing it (the store must still refuse an
illegal change computed from a stale read). Prints one JSON line of counts."""

from __future__ import annotations

import json
import sys
import traceback

from sqlalchemy import func, select

from domain import status as st
from store import models as m
from store import repo
from store.db import reader, transaction

NEXT = {st.NOT_STARTED: st.IN_PROGRESS, st.IN_PROGRESS: st.APPLIED, st.RETURNED: st.APPLIED,
        st.CLOSED: st.IN_PROGRESS}


def main() -> None:
    task_id, attempts, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    blind = len(sys.argv) > 4 and sys.argv[4] == "blind"
    out = {"ok": 0, "conflict": 0, "refused": 0, "errors": 0, "tracebacks": []}
    for i in range(attempts):
        with reader() as s:
            cur = repo.current_status(s, task_id)
            version = s.scalar(select(func.max(m.StatusEvent.seq)).where(m.StatusEvent.task_id == task_id)) or 0
        # 申请销号 → alternate 已销号 / 退回 so every legal edge is exercised
        to = NEXT.get(cur) or (st.CLOSED if i % 2 else st.RETURNED)
        try:
            with transaction() as s:
                repo.record_status(s, task_id, to, actor=name, note=f"{name} 第{i}次",
                                   expected_version=None if blind else version)
            out["ok"] += 1
        except repo.ConflictError:
            out["conflict"] += 1
        except repo.StoreError:
            out["refused"] += 1
        except Exception:  # noqa: BLE001 - counted: the test requires zero
            out["errors"] += 1
            out["tracebacks"].append(traceback.format_exc()[-2000:])
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
