"""Print what every corpus case tells a person, and the tally the issue asks for:
``PYTHONPATH=. python -m tests.bad_inputs.report``."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from tests.bad_inputs.cases import CASES
from tests.bad_inputs.cases_whole import WHOLE_CASES
from tests.bad_inputs.harness import build_base, check, check_whole, run_case, run_whole


def main() -> None:
    tally: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        inbox, db = build_base(Path(tmp) / "base")
        for i, case in enumerate(CASES):
            result, con = run_case(case, inbox, db, Path(tmp) / f"case{i}")
            con.close()
            try:
                check(case, result)
                ok = "ok  "
            except AssertionError:
                ok = "FAIL"
            tally["tried"] += 1
            tally[case.kind] += 1
            if case.kind == "refused" and result.file is not None:
                tally["refused naming the file"] += 1
                tally["… and the row"] += result.row is not None
                tally["… and the column"] += result.column is not None
            print(f"{ok} [{case.kind}] {case.name}: {result.text.splitlines()[0] if result.text else ''}")
            for line in result.text.splitlines()[1:3]:
                print(f"        {line}")
        for i, case in enumerate(WHOLE_CASES):
            result, con = run_whole(case, inbox, Path(tmp) / f"whole{i}", Path(tmp) / "ge-cache")
            con.close()
            try:
                check_whole(case, result)
                ok = "ok  "
            except AssertionError:
                ok = "FAIL"
            tally["tried"] += 1
            tally["whole inbox"] += 1
            tally[case.kind] += 1
            if case.kind == "refused" and result.file is not None:
                tally["refused naming the file"] += 1
                tally["… and the row"] += result.row is not None
                tally["… and the column"] += result.column is not None
            print(f"{ok} [whole, {case.kind}] {case.name}: {result.text.splitlines()[0] if result.text else ''}")
    print(dict(tally))
    print(f"refused with file/row/column: {tally['refused naming the file']} named the file, "
          f"{tally['… and the row']} the row, {tally['… and the column']} the column (of {tally['refused']} refused); "
          f"normalised with a note: {tally['normalised']}; passed (with a note where one is due): "
          f"{tally['noted'] + tally['passed']}")


if __name__ == "__main__":
    main()
