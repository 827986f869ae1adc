"""majorwatch's Dagster entry points (definitions, jobs, sensors, CLI).

Before any of them imports polars: polars allocates through its own jemalloc, which keeps freed pages for
reuse. A run's steps free gigabytes nationally (the school scores of one step) and the next step allocates
through DuckDB and Arrow instead, so the kept pages stayed resident beside them (measured at scale 500: the
publication step started at 2.6 GB resident and peaked at 4.6 GB, where alone in a fresh process it peaked at
3.0 GB; at scale 100, 450 MB freed by scoring the offerings stayed resident until the process idled 12 s). Returning freed pages at once bounds a run by its largest step; it costs polars-heavy work some
CPU (page faults). Set ``_RJEM_MALLOC_CONF`` yourself to choose otherwise (it is read when polars loads)."""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
