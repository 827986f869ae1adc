"""The jobs the data team reasons about, and the one the CLI, sensor and schedule launch for a full run."""

import dagster as dg

from assets.ingest.sources import source_keys

MAIN_JOB = "majorwatch_job"

# In-process: every step shares one process, so great-expectations and the models load once and the DuckDB
# writer rule holds by construction. The three stage jobs use the default multiprocess executor; the pool
# duckdb_writer (limit 1, in dagster.yaml) keeps one warehouse writer at a time there.
majorwatch_job = dg.define_asset_job(
    MAIN_JOB, selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor,
    description="完整运行：读取收件箱 → 数据契约 → 模型 → 评分 → 发布专业指导性目录与禁限目录",
)
refresh_inputs = dg.define_asset_job(
    "refresh_inputs", selection=dg.AssetSelection.groups("ingest"),
    description="只读取收件箱并检查数据契约（不评分、不发布）",
)
score_and_publish = dg.define_asset_job(
    "score_and_publish", selection=dg.AssetSelection.groups("score", "publish"),
    description="用已入库的输入和最近一次的模型结果评分并发布一版目录",
)
# Other jobs reuse a saved model whose code, parameters and training data are unchanged; this one retrains
# and cross-validates every model on purpose.
MODEL_OPS = ("proposed_major_industries", "proposed_major_occupations", "labor_forecasts",
             "posting_industry_proposals", "warning_backtest")
evaluate_models = dg.define_asset_job(
    "evaluate_models", selection=dg.AssetSelection.groups("models"),
    config={"ops": {op: {"config": {"retrain": True}} for op in MODEL_OPS}},
    description="重新训练并评估模型（专业—行业推荐、人才供需预测、招聘信息分类），不沿用已保存的模型；"
                "并回测往年预警与毕业时红色预警可能性（与两个简单基线比较）",
)
# Observing reads no row: it hashes each inbox file (assets/ingest/sources.py), so the UI and `majorwatch run`
# can tell which inputs changed before anything is staged.
observe_inbox = dg.define_asset_job(
    "observe_inbox", selection=dg.AssetSelection.assets(*source_keys()),
    description="查看收件箱：计算每个输入文件的 SHA-256（不入库），标出哪些输入有了新版本、哪些资产因此过期",
)
JOBS = [majorwatch_job, refresh_inputs, score_and_publish, evaluate_models, observe_inbox]

# Re-score the draft's inputs with the overrides the commission decided, and publish the final edition.
finalize_edition = dg.define_asset_job(
    "finalize_edition", selection=dg.AssetSelection.assets("overrides") | dg.AssetSelection.groups("score", "publish"),
    executor_def=dg.in_process_executor,
    description="正式发布：读入市教委复核调整，用征求意见稿的输入重新评分，发布正式版",
)
JOBS.append(finalize_edition)
