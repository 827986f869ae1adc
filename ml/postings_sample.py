"""Which labelled postings the posting classifier learns from: at most MAX_LABELLED, chosen by a hash of the id.

Business meaning: a national inbox has millions of labelled postings; a linear text model learns as well
from a few hundred thousand, and a sample chosen by MD5(posting_id) is the same on every run (the same
postings give the same model version) whatever the order of the file. Kept apart from ml.postings so the
asset definitions can name the cap without importing scikit-learn.
"""

from __future__ import annotations

import hashlib

import polars as pl

MAX_LABELLED = 200_000


def training_sample(labelled: pl.DataFrame, cap: int = MAX_LABELLED, key: str = "posting_id") -> pl.DataFrame:
    """At most ``cap`` rows: those with the smallest MD5 of ``key`` (ties and NULLs by row order), in row order.

    The rule of warehouse.table.WarehouseTable.sample, which the pipeline runs in DuckDB; this one serves
    callers that already hold the frame (`majorwatch evaluate`), so both measure the same postings."""
    if labelled.height <= cap:
        return labelled
    digests = [hashlib.md5(v.encode()).hexdigest() if v is not None else "~"  # noqa: S324 - a sample, not security
               for v in labelled[key].cast(pl.String).to_list()]
    rows = pl.DataFrame({"_key": digests}).with_row_index("_row").sort("_key", "_row").head(cap)["_row"].sort()
    return labelled[rows]
