"""What an evaluation run did, in one line: records done, failed and skipped, and the most
common reason for a failure, from the ``meta.run`` block and the per-image rows that
``EvalRunner`` writes into every results document (so studies, which run evals, can say it too).

A run with a failed record is not a success: ``failed_records`` is what the CLI turns into its
exit code (``RecordsFailed``, 8), after printing the results.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any


def failed_records(doc: dict[str, Any]) -> int:
    """How many records of the run (this run's and earlier ones) failed."""
    return sum(1 for r in doc.get("per_image", []) if r.get("status") == "failed")


def summary_line(doc: dict[str, Any], where: str = "") -> str:
    """``eval: 9 done, 3 failed, 12 skipped (recorded earlier) of 24 records; most common failure
    (3 of 3), for example: ...``, one line for the end of a run; ``where`` names the run (its folder)."""
    run = doc.get("meta", {}).get("run", {})
    done, failed, skipped = run.get("done", 0), run.get("failed", 0), run.get("skipped", 0)
    line = (f"eval{' ' + where if where else ''}: {done} done, {failed} failed, {skipped} skipped "
            f"(recorded earlier) of {done + failed + skipped} records")
    if run.get("expected") and run.get("recorded", 0) < run["expected"]:
        line += f"; the run holds {run['recorded']} of its {run['expected']} records"
    errors = [r.get("error") or "unknown" for r in doc.get("per_image", []) if r.get("status") == "failed"]
    # Reasons that differ only in their numbers (a budget, an image size) are one reason.
    reasons = Counter(re.sub(r"\d+(\.\d+)?", "#", e) for e in errors)
    if reasons:
        kind, count = reasons.most_common(1)[0]
        reason = next(e for e in errors if re.sub(r"\d+(\.\d+)?", "#", e) == kind)
        earlier = failed_records(doc) - failed
        line += (f"; {earlier} earlier records had failed" if earlier > 0 else "")
        line += f"; most common failure ({count} of {len(errors)}), for example: {reason}"
    return line
