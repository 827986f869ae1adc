"""The one entry point: every asset, check, job, sensor, schedule and resource of majorwatch."""

import dagster as dg

from assets.checks.outputs import OUTPUT_CHECKS
from assets.ingest.gaps import data_gaps
from assets.ingest.inputs import build_ingest
from assets.ingest.sources import build_sources
from assets.models.backtests import warning_backtest
from assets.models.forecasts import labor_forecasts
from assets.models.mapping import proposed_major_industries, proposed_major_occupations
from assets.models.postings import posting_industry_proposals
from assets.publish.catalogs import publish_catalogs
from assets.publish.channels import channel_figures
from assets.publish.comparisons import edition_comparisons
from assets.publish.figures import (
    code_history,
    edition_outcomes,
    guiding_catalog,
    report_figures,
    restriction_list,
    warning_track_record,
)
from assets.resources import resources
from assets.score.actions import action_plan, backbone_candidates, posting_districts, posting_terms
from assets.score.edition import edition_facts
from assets.score.majors import major_industry_exposure, major_market_signals, major_risk_scores
from assets.score.policies import policy_comparisons
from assets.score.postings import posting_demand, posting_openings
from assets.score.schools import school_major_scores
from assets.versions import with_code_versions
from pipelines.jobs import JOBS
from pipelines.sensors import build_inbox_sensor, failure_log, yearly_schedule

# the inbox's files (observable sources), then every asset with its stage's code version
ASSETS = [build_sources(), *with_code_versions([
    build_ingest(), data_gaps,
    proposed_major_industries, proposed_major_occupations, labor_forecasts, posting_industry_proposals,
    warning_backtest, posting_demand, posting_openings, major_industry_exposure, major_market_signals,
    major_risk_scores, school_major_scores, policy_comparisons, edition_facts, guiding_catalog, restriction_list,
    code_history, report_figures, edition_outcomes, edition_comparisons, channel_figures, warning_track_record,
    posting_terms, posting_districts, action_plan, backbone_candidates, publish_catalogs,
])]
defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=OUTPUT_CHECKS,
    jobs=JOBS,
    sensors=[build_inbox_sensor(ASSETS), failure_log],
    schedules=[yearly_schedule],
    resources=resources(),
)
