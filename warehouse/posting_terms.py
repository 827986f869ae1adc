"""Job postings' phrases and openings counted in DuckDB, for the action plan (issue 28).

- ``POSTING_TERMS_SQL``: postings per year, industry and phrase. A description is cut at punctuation into
  phrases; a leading verb (负责, 熟悉, 掌握 …) and a trailing filler (相关工作, 经验 …) are dropped, and
  phrases of 2–12 characters are kept. ``total`` is the industry's postings that year. Postings without a
  code count under the code the classifier proposed.
- ``POSTING_DISTRICTS_SQL``: openings per district and industry in the latest posting year.
Fixed SQL, no values.
"""

from __future__ import annotations

import polars as pl

TERMS_EMPTY = {"industry_code": pl.String, "year": pl.Int32, "term": pl.String, "postings": pl.Int64,
               "total": pl.Int64}
DISTRICTS_EMPTY = {"district": pl.String, "industry_code": pl.String, "openings": pl.Int64}

# The postings with a year, under their own industry code or the one the classifier proposed (both queries read it)
CODED_POSTINGS = """
    WITH coded AS (
        SELECT p.posting_id, coalesce(p.industry_code, x.proposed_industry_code) AS industry_code,
               CAST(year(p.posted_on) AS INTEGER) AS year, p.description, p.district, p.openings
        FROM job_postings p LEFT JOIN posting_industry_proposals x ON x.posting_id = p.posting_id
        WHERE p.posted_on IS NOT NULL
    ),
"""

POSTING_TERMS_SQL = CODED_POSTINGS + """
    totals AS (SELECT industry_code, year, count(*) AS total FROM coded WHERE industry_code IS NOT NULL GROUP BY 1, 2),
    split AS (
        SELECT posting_id, industry_code, year,
               unnest(regexp_split_to_array(coalesce(description, ''), '[，,、；;：:。！!？?[:space:]]+')) AS piece
        FROM coded WHERE industry_code IS NOT NULL
    ),
    pieces AS (
        SELECT DISTINCT posting_id, industry_code, year,
               regexp_replace(regexp_replace(trim(piece), '^(负责|熟悉|掌握|具备|精通|了解|能够|从事|具有|会)', ''),
                              '(相关工作|相关经验|工作经验|经验|能力|者优先|优先)$', '') AS term
        FROM split
    )
    SELECT p.industry_code, p.year, p.term, count(*) AS postings, any_value(t.total) AS total
    FROM pieces p JOIN totals t USING (industry_code, year)
    WHERE length(p.term) BETWEEN 2 AND 12
    GROUP BY 1, 2, 3 HAVING count(*) >= 3
    ORDER BY 1, 2, 3
"""  # noqa: S608 - fixed SQL texts joined, no values

POSTING_DISTRICTS_SQL = CODED_POSTINGS + """
    latest AS (SELECT max(year) AS y FROM coded)
    SELECT district, industry_code, CAST(sum(coalesce(openings, 1)) AS BIGINT) AS openings
    FROM coded, latest
    WHERE year = latest.y AND district IS NOT NULL AND industry_code IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1, 2
"""  # noqa: S608 - fixed SQL texts joined, no values
