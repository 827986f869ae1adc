"""One entry point that measures every model on the current warehouse frames (`majorwatch evaluate`).

Business meaning: models assist, rules decide — and a model's output may only be shown with its
measured quality. This runs each model's honest evaluation (cross-validation by major, rolling-origin
backtest, held-out postings) and writes a Chinese report.
"""

from __future__ import annotations

import polars as pl

from ml.forecast import LEVELS, backtest_by_level
from ml.mapping import evaluate_mapping
from ml.postings import train_classifier
from ml.postings_sample import training_sample

MIN_MAJORS = 10  # fewer mapped majors than this: too few for 5-fold cross-validation


def evaluate_all(frames: dict[str, pl.DataFrame], seed: int = 0, policy=None,
                 published: pl.DataFrame | None = None) -> dict:
    """CV metrics of the three models and the back-test of past flags (with the flags earlier editions issued,
    `published`, where there are some); a section holds `skipped` (Chinese reason) when data is missing."""
    from scoring.calibration import backtest_warnings
    from scoring.policy import load_policy

    warnings = backtest_warnings(frames, policy or load_policy(), seed, published)
    out: dict[str, dict] = {k: warnings[k] for k in ("flags_backtest", "graduation_calibration")}
    majors = frames.get("majors")
    for key, pairs_name, targets_name in (("mapping_occupation", "major_occupation_map", "occupations"),
                                          ("mapping_industry", "major_industry_map", "industries")):
        pairs, targets = frames.get(pairs_name), frames.get(targets_name)
        if majors is None or pairs is None or targets is None:
            out[key] = {"skipped": f"缺少 {pairs_name} 或 {targets_name} 或 majors 表"}
            continue
        mapped = pairs["major_code"].n_unique()
        if mapped < MIN_MAJORS:
            out[key] = {"skipped": f"有对应关系的专业只有 {mapped} 个，少于 {MIN_MAJORS} 个，无法做五折交叉验证"}
            continue
        out[key] = evaluate_mapping(majors, pairs, targets, folds=5, seed=seed)
    labor = frames.get("labor_market")
    by_level = backtest_by_level(labor, seed=seed) if labor is not None and labor.height else {}
    for level in LEVELS:
        result = by_level.get(level)
        out[f"forecast_{level}"] = result or {"skipped": "没有该层级的季度人才供需数据"}
    postings = frames.get("job_postings")
    labelled = pl.DataFrame() if postings is None else postings.filter(pl.col("industry_code").is_not_null())
    if labelled.height < 50:
        out["classifier"] = {"skipped": f"带行业代码的招聘信息只有 {labelled.height} 条，不足 50 条"}
    else:  # the same capped sample the pipeline's classifier learns from
        out["classifier"] = train_classifier(training_sample(labelled), seed=seed)[1]
    return out


def format_report(metrics: dict) -> str:
    """Chinese plain-text report of evaluate_all's result."""
    lines = ["模型评估报告", ""]
    names = {"mapping_occupation": "专业—职业对应推荐（按专业五折交叉验证）",
             "mapping_industry": "专业—行业对应推荐（按专业五折交叉验证）"}
    for key, title in names.items():
        m = metrics.get(key, {})
        lines.append(f"【{title}】")
        if "skipped" in m:
            lines.append(f"  未评估：{m['skipped']}")
        else:
            lines.append(f"  专业数 {m['n_majors']}，对应关系 {m['n_pairs']} 条，折数 {m['folds']}")
            lines.append(f"  前10召回率 {m['recall_at_10']:.3f}，平均倒数排名(MRR) {m['mrr']:.3f}")
        lines.append("")
    for level, label in (("industry_code", "按行业"), ("occupation_code", "按职业")):
        f = metrics.get(f"forecast_{level}", {})
        lines.append(f"【人才供需预测·{label}（滚动起点回测，MASE 越小越好，以季节朴素法样本内误差为尺度）】")
        if "skipped" in f:
            lines.append(f"  未评估：{f['skipped']}")
        else:
            lines.append(f"  序列数 {f['n_series']}，起点数 {f['origins']}")
            lines.append("  预测步长 | 模型 | 朴素法 | 季节朴素法 | 模型÷季节朴素法")
            for h in f["horizons"]:
                m, sn = f["mase"]["model"][h], f["mase"]["seasonal_naive"][h]
                lines.append(f"  {h} | {m:.3f} | {f['mase']['naive'][h]:.3f} | {sn:.3f} | {m / sn:.3f}")
            verdict = "是（用于评分中的需求趋势）" if f["beats_seasonal_naive"] else "否（不用于评分）"
            lines.append(f"  各步长均显著优于季节朴素法：{verdict}")
        lines.append("")
    c = metrics.get("classifier", {})
    lines.append("【招聘信息行业分类（留出集）】")
    if "skipped" in c:
        lines.append(f"  未评估：{c['skipped']}")
    else:
        lines.append(f"  训练 {c['n_train']} 条，测试 {c['n_test']} 条，类别 {c['n_classes']} 个")
        lines.append(f"  准确率 {c['accuracy']:.3f}（多数类基线 {c['majority_accuracy']:.3f}）")
        lines.append(f"  宏平均F1 {c['macro_f1']:.3f}（多数类基线 {c['majority_macro_f1']:.3f}）")
    if "flags_backtest" in metrics:
        from scoring.backtest import format_backtest

        lines += ["", "【过往预警回测（预警之后招生或毕业去向落实率是否下降）】", *format_backtest(metrics["flags_backtest"])]
    if "graduation_calibration" in metrics:
        from scoring.calibration import format_calibration

        lines += ["", "【毕业时红色预警可能性的回测（与两个简单基线比较）】",
                  *format_calibration(metrics["graduation_calibration"])]
    return "\n".join(lines)
