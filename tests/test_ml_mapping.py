"""Unit tests of the major→target proposer on tiny hand-made frames."""

from __future__ import annotations

import functools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from ml.mapping import (
    as_pairs,
    as_targets,
    evaluate_and_fit,
    evaluate_mapping,
    fit_mapping_proposer,
    propose_for_unmapped,
)
from ml.mapping_features import neighbour_votes, orientation_fragments
from ml.registry import Pickled
from ml.workers import in_worker


def _frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    majors = pl.DataFrame({
        "major_code": ["510201", "510202", "510203", "510204", "540101", "540102", "540103", "540104"],
        "major_name": ["计算机应用技术", "计算机网络技术", "软件技术", "大数据技术", "建筑设计", "建筑装饰工程技术",
                       "园林景观工程", "建筑室内设计"],
        "category_name": ["电子与信息大类"] * 4 + ["土木建筑大类"] * 4,
        "class_name": ["计算机类"] * 4 + ["建筑设计类"] * 4,
        "description": ["面向计算机程序设计员、软件测试员等职业", "面向计算机网络工程技术人员、网络管理员等职业",
                        "面向计算机程序设计员、软件测试员等职业", "面向大数据工程技术人员、计算机程序设计员等职业",
                        "面向建筑设计人员、建筑制图员等职业", "面向装饰装修工、建筑制图员等职业",
                        "面向园林绿化工、景观设计人员等职业", "面向室内装饰设计师、建筑制图员等职业"],
    })
    targets = pl.DataFrame({
        "occupation_code": ["4-04", "4-04-05", "4-04-05-01", "4-04-05-02", "2-02", "2-02-10", "2-02-10-01",
                            "2-02-10-02", "2-02-10-03", "4-08", "4-08-08", "4-08-08-01", "4-08-08-02",
                            "4-08-08-03", "4-08-08-04", "6-29-02-01", "4-09-10-01"],
        "occupation_name": ["信息传输服务人员", "信息技术服务人员", "计算机程序设计员", "软件测试员", "工程技术人员",
                            "计算机工程技术人员", "计算机网络工程技术人员", "大数据工程技术人员", "网络管理员",
                            "建筑服务人员", "设计服务人员", "建筑设计人员", "建筑制图员", "景观设计人员",
                            "室内装饰设计师", "装饰装修工", "园林绿化工"],
    })
    pairs = pl.DataFrame({
        "major_code": ["510201", "510201", "510202", "510202", "510203", "510203", "510204", "510204",
                       "540101", "540101", "540102", "540102", "540103", "540103", "540104", "540104"],
        "occupation_code": ["4-04-05-01", "4-04-05-02", "2-02-10-01", "2-02-10-03", "4-04-05-01", "4-04-05-02",
                            "2-02-10-02", "4-04-05-01", "4-08-08-01", "4-08-08-02", "6-29-02-01", "4-08-08-02",
                            "4-09-10-01", "4-08-08-03", "4-08-08-04", "4-08-08-02"],
    })
    return majors, pairs, targets


def test_fragments_split_the_orientation_paragraph():
    frags = orientation_fragments("面向信息和通信工程技术人员、软件测试员等职业，软件开发等岗位（群）。")
    assert "软件测试员" in frags
    assert not any("岗位" in f for f in frags)


def test_neighbour_votes_never_count_the_major_itself():
    y = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    sim = np.array([[1.0, 0.2], [0.2, 1.0]])
    votes = neighbour_votes(sim, y, 1, 1.0, np.array([0, 1]))
    assert votes[0, 0] == 0.0 and votes[0, 1] == 1.0


def test_proposer_ranks_the_named_occupation_first_for_a_new_major():
    majors, pairs, targets = _frames()
    model = fit_mapping_proposer(majors, pairs, targets, seed=0)
    new = pl.DataFrame({"major_code": ["510299"], "major_name": ["软件测试技术"], "category_name": ["电子与信息大类"],
                        "class_name": ["计算机类"], "description": ["面向软件测试员等职业"]})
    out = model.propose(new, k=5)
    assert out.columns == ["major_code", "target_code", "score", "rank"]
    assert out["rank"].to_list() == [1, 2, 3, 4, 5]
    assert out["score"].is_between(0, 1).all() and out["score"].is_sorted(descending=True)
    assert out["target_code"][0] == "4-04-05-02"
    assert "4-08" not in out["target_code"].to_list()  # candidates are at the level the pairs use


def test_evaluation_hides_held_out_pairs():
    """Each major's only target is a code nobody else has, with a meaningless name: not learnable.

    With 2 folds, 4 held-out codes compete in each fold, so chance is 1/4; leakage would give 1.0.
    """
    majors, _, _ = _frames()
    codes = [f"9-99-{i:02d}-01" for i in range(majors.height)]
    pairs = pl.DataFrame({"major_code": majors["major_code"], "target_code": codes})
    targets = pl.DataFrame({"target_code": codes, "target_name": [f"甲乙{i}" for i in range(len(codes))]})
    result = evaluate_mapping(majors, pairs, targets, folds=2, seed=0, k=1)
    assert result["recall_at_1"] <= 0.5
    assert result["n_majors"] == majors.height and result["folds"] == 2


def test_evaluation_learns_shared_targets():
    majors, pairs, targets = _frames()
    result = evaluate_mapping(majors, pairs, targets, folds=4, seed=0)
    assert result["recall_at_10"] > 0.7 and 0 < result["mrr"] <= 1


def test_folds_and_final_fit_in_worker_processes_give_the_same_model_to_the_last_bit():
    majors, pairs, targets = _frames()
    serial_model, serial = evaluate_and_fit(majors, pairs, targets, folds=4, seed=0)
    parallel_model, parallel = evaluate_and_fit(majors, pairs, targets, folds=4, seed=0, n_jobs=2)
    assert parallel == serial and serial == evaluate_mapping(majors, pairs, targets, folds=4, seed=0)
    assert np.array_equal(parallel_model.score(majors), serial_model.score(majors))
    assert np.array_equal(serial_model.score(majors), fit_mapping_proposer(majors, pairs, targets, seed=0).score(majors))


def test_a_pickled_fit_comes_back_as_bytes_that_propose_the_same_in_a_worker():
    # what the proposer assets do: the run's process gets bytes, a worker applies them (ml.workers.in_worker)
    majors, pairs, targets = _frames()
    serial_model, serial = evaluate_and_fit(majors, pairs, targets, folds=4, seed=0)
    for jobs in (1, 2):
        pickled, metrics = evaluate_and_fit(majors, pairs, targets, folds=4, seed=0, n_jobs=jobs, pickled=True)
        assert isinstance(pickled, Pickled) and metrics == serial
        assert in_worker("ml.mapping:propose_pickled", pickled.blob, majors, 5).equals(serial_model.propose(majors, k=5))


def test_propose_for_unmapped_keeps_only_confident_rows():
    majors, pairs, targets = _frames()
    extra = pl.DataFrame({"major_code": ["510205"], "major_name": ["计算机程序设计"], "category_name": ["电子与信息大类"],
                          "class_name": ["计算机类"], "description": ["面向计算机程序设计员等职业"]})
    everything = pl.concat([majors, extra])
    loose = propose_for_unmapped(everything, pairs, targets, k=5, threshold=0.0)
    strict = propose_for_unmapped(everything, pairs, targets, k=5, threshold=0.99)
    assert set(loose["major_code"]) == {"510205"} and loose.height == 5
    assert strict.height < loose.height and (strict["score"] >= 0.99).all()


def test_input_adapters_accept_warehouse_tables():
    _, pairs, targets = _frames()
    assert as_pairs(pairs).columns == ["major_code", "target_code"]
    industries = pl.DataFrame({"industry_code": ["C", "13"], "industry_name": ["制造业", "农副食品加工业"],
                               "parent_code": [None, "C"]})
    assert as_targets(industries)["parent_code"].to_list().count("C") == 1
    with pytest.raises(ValueError):
        as_targets(pl.DataFrame({"x": [1]}))


def test_majors_without_an_orientation_paragraph_are_still_scored():
    """A catalog without 职业面向 (no `description` column: the handmade inbox, a bare national list) has no
    phrases to compare; the proposer must fall back to names and neighbours, not fail."""
    majors, pairs, targets = _frames()
    bare = majors.drop("description")
    model = fit_mapping_proposer(bare, pairs, targets, seed=0)
    scores = model.score(bare)
    assert scores.shape == (bare.height, len(model.target_codes)) and np.isfinite(scores).all()
    proposals = model.propose(bare.head(1), k=3)
    assert proposals.height == 3 and proposals["major_code"].unique().to_list() == ["510201"]


TEXTS = ["计算机应用技术 计算机类", "软件技术", "建筑设计 建筑设计类 面向建筑设计人员", "园林景观工程", "大数据技术", ""]


@given(st.lists(st.sampled_from(TEXTS + ["软件测试员", "网络管理员", "装饰装修工"]), max_size=12),
       st.lists(st.sampled_from(TEXTS), max_size=8))
@settings(max_examples=60, deadline=None)
def test_a_texts_tf_idf_row_is_the_same_in_any_batch(first, second):
    """The row cache behind the proposer's features gives exactly what the vectorizer gives for the
    same list (values, columns and order), whatever was asked before with the same fitted vectorizer."""
    from ml.tfidf import _ROWS, fit_vectorizer, transform

    vec = fit_vectorizer(TEXTS)
    _ROWS.pop(vec, None)
    for texts in (first, second, first[::-1]):
        if not texts:  # scikit-learn refuses an empty batch, and so does the cache
            with pytest.raises(ValueError):
                transform(vec, texts)
            continue
        got, want = transform(vec, texts), vec.transform(texts)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert (got != want).nnz == 0 and np.array_equal(got.toarray(), want.toarray())


def test_one_fitted_vectorizer_per_set_of_texts():
    from ml.tfidf import fit_vectorizer

    assert fit_vectorizer(TEXTS) is fit_vectorizer(list(TEXTS))           # the folds share it
    other = fit_vectorizer(TEXTS + ["护理"])
    assert other is not fit_vectorizer(TEXTS) and "护" in "".join(other.vocabulary_)


PAIRS = st.tuples(st.lists(st.sampled_from(TEXTS + ["软件测试员", "网络管理员"]), min_size=1, max_size=6),
                  st.lists(st.sampled_from(TEXTS + ["装饰装修工"]), min_size=1, max_size=6))


@given(st.lists(st.tuples(PAIRS, st.lists(st.sampled_from(TEXTS + ["软件测试员", "装饰装修工"]))),
                min_size=1, max_size=4))
@settings(max_examples=60, deadline=None)
def test_similarities_from_the_remembered_product_equal_the_direct_product_to_the_last_bit(calls):
    """The folds' major-to-major cosines are sliced from one growing product: every answer must equal the
    product of the two lists' TF-IDF rows exactly, whatever was remembered or asked before."""
    from ml.tfidf import _GRAMS, fit_vectorizer, remember_similarities, similarity

    vec = fit_vectorizer(TEXTS)
    _GRAMS.pop(vec, None)
    for (left, right), remembered in calls:
        remember_similarities(vec, remembered)
        want = (vec.transform(left) @ vec.transform(right).T).toarray()
        got = similarity(vec, left, right)
        assert got.shape == want.shape and np.array_equal(got, want)


def test_only_remembered_texts_are_kept():
    """A model applied once (the proposals in the run's own process) multiplies what it is asked and keeps
    nothing; the fits' texts are multiplied once."""
    from ml.tfidf import _GRAMS, fit_vectorizer, remember_similarities, similarity

    vec = fit_vectorizer(TEXTS)
    _GRAMS.pop(vec, None)
    similarity(vec, TEXTS[:2], TEXTS[2:])
    assert vec not in _GRAMS
    remember_similarities(vec, TEXTS[:3])
    remember_similarities(vec, TEXTS[1:4])
    assert list(_GRAMS[vec].index) == TEXTS[:4] and _GRAMS[vec].matrix.shape == (4, 4)
    assert _GRAMS[vec].block(TEXTS[:2], TEXTS[4:]) is None


@functools.cache
def _fitted() -> tuple[pl.DataFrame, object]:
    majors, pairs, targets = _frames()
    return majors, fit_mapping_proposer(majors, pairs, targets, seed=0)


@given(st.lists(st.lists(st.integers(0, 7), min_size=1, max_size=10), min_size=1, max_size=4))
@settings(max_examples=40, deadline=None)
def test_a_majors_text_signals_are_the_same_whatever_batch_they_were_remembered_from(batches):
    """Each major's text signals are computed once per process and reused by every fold: the features of any
    batch must equal, to the last bit, the features of that batch computed with nothing remembered."""
    from ml.mapping_model import _TEXT_SIGNALS

    majors, model = _fitted()
    for rows in batches:
        batch = majors[rows]
        remembered = model.features(batch)
        _TEXT_SIGNALS.clear()
        assert np.array_equal(remembered, model.features(batch))


def test_the_folds_compute_each_majors_text_signals_once(monkeypatch):
    import ml.mapping_model as mm

    computed = []
    real = mm._compute_text_signals
    monkeypatch.setattr(mm, "_compute_text_signals", lambda m, names, *rest: computed.extend(names) or
                        real(m, names, *rest))
    mm._TEXT_SIGNALS.clear()
    majors, pairs, targets = _frames()
    evaluate_and_fit(majors, pairs, targets, folds=4, seed=0)  # four folds and the final fit, in this process
    assert sorted(computed) == sorted(majors["major_name"])


def test_held_out_majors_among_a_subset_have_their_pairs_hidden_while_the_others_train():
    """``among``: only those majors are held out; their unlearnable codes stay unlearnable (leakage would find
    them), while the others' pairs are in every fold's training."""
    majors, _, _ = _frames()
    codes = [f"9-99-{i:02d}-01" for i in range(majors.height)]
    pairs = pl.DataFrame({"major_code": majors["major_code"], "target_code": codes})
    targets = pl.DataFrame({"target_code": codes, "target_name": [f"甲乙{i}" for i in range(len(codes))]})
    among = majors["major_code"].to_list()[:4]
    result = evaluate_mapping(majors, pairs, targets, folds=2, seed=0, k=1, among=among)
    assert result["n_majors"] == 4 and result["n_pairs"] == 4
    assert result["recall_at_1"] <= 0.5
