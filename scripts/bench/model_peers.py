#!/usr/bin/env python3
"""Python peers for the tree-model benchmarks (one library per process, so
peak memory is per library). Prints one `BENCH {json}` line like the Swift side.

Usage: model_peers.py DATA_DIR --model gbdt|forest --lib lightgbm|xgboost|sklearn [--threads 2]
Data: scripts/bench/gen_model_table.py output; the first train_rows rows train,
the rest test (forest: the first 200,000 rows train).
"""
import argparse, json, os, resource, time
import numpy as np
import pandas as pd

def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def load(d, limit_train=None):
    meta = json.load(open(os.path.join(d, "meta.json")))
    n, ntr = meta["rows"], meta["train_rows"]
    num = np.fromfile(os.path.join(d, "numeric.f64"), dtype=np.float64).reshape(len(meta["numeric"]), n)
    cat = np.fromfile(os.path.join(d, "categorical.i32"), dtype=np.int32).reshape(len(meta["categorical"]), n)
    y = np.fromfile(os.path.join(d, "target.f64"), dtype=np.float64)
    cols = {name: num[j] for j, name in enumerate(meta["numeric"])}
    for j, c in enumerate(meta["categorical"]):
        cols[c["name"]] = pd.Categorical.from_codes(cat[j], c["levels"])
    df = pd.DataFrame(cols)
    del num, cat, cols
    keep = limit_train or ntr
    return df.iloc[:keep].copy(), y[:keep], df.iloc[ntr:].copy(), y[ntr:], [c["name"] for c in meta["categorical"]]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data"); ap.add_argument("--model", required=True); ap.add_argument("--lib", required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    from sklearn.metrics import roc_auc_score
    t = a.threads
    if a.model == "gbdt":
        Xtr, ytr, Xte, yte, cats = load(a.data)
        loaded = peak_mb()
        if a.lib == "lightgbm":
            import lightgbm as lgb
            m = lgb.LGBMClassifier(n_estimators=200, learning_rate=0.1, num_leaves=63, n_jobs=t, verbose=-1, random_state=1)
        elif a.lib == "xgboost":
            import xgboost as xgb
            m = xgb.XGBClassifier(n_estimators=200, learning_rate=0.1, max_leaves=63, max_depth=0, grow_policy="lossguide",
                                  tree_method="hist", max_bin=255, enable_categorical=True, n_jobs=t, random_state=1)
        else:
            from sklearn.ensemble import HistGradientBoostingClassifier
            m = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, max_leaf_nodes=63, early_stopping=False,
                                               categorical_features="from_dtype", random_state=1)
        c0 = cpu(); t0 = time.perf_counter(); m.fit(Xtr, ytr); train_s = time.perf_counter() - t0; train_cpu = cpu() - c0
        peak = peak_mb()
        t0 = time.perf_counter(); p = m.predict_proba(Xte)[:, 1]; pred_s = time.perf_counter() - t0
        out = dict(lib=a.lib, model="gbdt", threads=t, train_s=train_s, train_cpu_s=train_cpu, auc=roc_auc_score(yte, p),
                   predict_rows_per_s=len(yte) / pred_s, peak_mb=peak, data_mb=loaded)
        if a.lib == "lightgbm":
            sub = Xte.iloc[:10000]
            t0 = time.perf_counter(); m.predict(sub, pred_contrib=True); out["shap_rows_per_s"] = 10000 / (time.perf_counter() - t0)
    else:
        Xtr, ytr, Xte, yte, cats = load(a.data, limit_train=200_000)
        for c in cats:                      # scikit-learn forests have no native categoricals
            Xtr[c] = Xtr[c].cat.codes; Xte[c] = Xte[c].cat.codes
        Xtr = Xtr.fillna(-999.0); Xte = Xte.fillna(-999.0)   # keep it simple and equal for every sklearn version
        loaded = peak_mb()
        from sklearn.ensemble import RandomForestClassifier
        m = RandomForestClassifier(n_estimators=100, max_depth=16, n_jobs=t, random_state=1, oob_score=True)
        c0 = cpu(); t0 = time.perf_counter(); m.fit(Xtr, ytr); train_s = time.perf_counter() - t0; train_cpu = cpu() - c0
        peak = peak_mb()
        t0 = time.perf_counter(); p = m.predict_proba(Xte)[:, 1]; pred_s = time.perf_counter() - t0
        out = dict(lib="sklearn", model="forest", threads=t, train_s=train_s, train_cpu_s=train_cpu, auc=roc_auc_score(yte, p),
                   predict_rows_per_s=len(yte) / pred_s, oob_accuracy=m.oob_score_, peak_mb=peak, data_mb=loaded)
    print("BENCH " + json.dumps(out, sort_keys=True))

if __name__ == "__main__":
    main()
