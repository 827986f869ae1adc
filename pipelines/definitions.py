"""The one entry point: every asset, check, job, sensor, schedule and resource of majorwatch."""

import dagster as dg

from assets.ingest.inputs import ingest_assets
from assets.models.forecasts import labor_forecasts
from assets.models.mapping import proposed_major_industries, proposed_major_occupations
from assets.models.postings import posting_industry_proposals
from assets.publish.catalogs import publish_catalogs
from assets.score.majors import major_industry_exposure, major_market_signals, major_risk_scores
from assets.score.schools import school_major_scores
from data_contracts.checks import contract_checks
from pipelines.jobs import majorwatch_job
from pipelines.resources import resources
from pipelines.sensors import inbox_sensor, yearly_schedule

defs = dg.Definitions(
    assets=[
        *ingest_assets(),
        proposed_major_industries, proposed_major_occupations, labor_forecasts, posting_industry_proposals,
        major_industry_exposure, major_market_signals, major_risk_scores, school_major_scores,
        publish_catalogs,
    ],
    asset_checks=[*contract_checks()],
    jobs=[majorwatch_job],
    sensors=[inbox_sensor],
    schedules=[yearly_schedule],
    resources=resources(),
)
