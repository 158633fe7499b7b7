#!/usr/bin/env python3
"""Peers of scripts/bench/tree_scoring.lua: LightGBM (gbdt, 200 trees × 63
leaves, lr 0.1) and scikit-learn (forest, 100 trees, depth 16), fitted untimed
on the first FIT_ROWS rows, predict_proba on the test rows timed (best of
REPEATS). One `BENCH {json}` line per model.

Usage: tree_scoring_peers.py DATA_DIR FIT_ROWS REPEATS THREADS
"""
import json, sys, time
from model_peers import load

def best(f, reps):
    b, p = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter(); p = f(); b = min(b, time.perf_counter() - t0)
    return b, p

def main():
    d, nfit, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    from sklearn.metrics import roc_auc_score
    Xtr, ytr, Xte, yte, cats = load(d, limit_train=nfit)
    import lightgbm as lgb
    m = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.1, num_leaves=63, n_jobs=threads, verbose=-1, random_state=1)
    m.fit(Xtr, ytr)
    s, p = best(lambda: m.predict_proba(Xte)[:, 1], reps)
    print("BENCH " + json.dumps(dict(lib="lightgbm", model="gbdt", rows=len(yte), predict_s=s,
                                     predict_rows_per_s=len(yte) / s, auc=roc_auc_score(yte, p))))
    from sklearn.ensemble import RandomForestClassifier
    for c in cats:                      # scikit-learn forests have no native categoricals
        Xtr[c] = Xtr[c].cat.codes; Xte[c] = Xte[c].cat.codes
    Xtr, Xte = Xtr.fillna(-999.0), Xte.fillna(-999.0)   # as model_peers.py
    f = RandomForestClassifier(n_estimators=100, max_depth=16, n_jobs=threads, random_state=1).fit(Xtr, ytr)
    s, p = best(lambda: f.predict_proba(Xte)[:, 1], reps)
    print("BENCH " + json.dumps(dict(lib="sklearn", model="forest", rows=len(yte), predict_s=s,
                                     predict_rows_per_s=len(yte) / s, auc=roc_auc_score(yte, p))))

if __name__ == "__main__":
    main()
