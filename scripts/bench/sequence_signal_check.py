# Diagnostic for scripts/bench/sequence_signal_check.sh: GBDT on aggregates
# alone and with hand-made temporal flags read off the daily sequences (see the .sh).
# Usage: python sequence_signal_check.py DIR  (data.csv, ids.csv, seq.f32 from the .lua)
import sys, numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
D = sys.argv[1] if len(sys.argv) > 1 else "/tmp/nn4"
df = pd.read_csv(f"{D}/data.csv"); ids = pd.read_csv(f"{D}/ids.csv")
X = np.fromfile(f"{D}/seq.f32", dtype=np.float32).reshape(len(ids), 90, 8)
ids["r"] = np.arange(len(ids)); df = df.merge(ids, on=["user_id", "as_of"], how="left")
act = (X[df.r.values, :, 0] > 0)  # login per day, oldest first; index 89 = day before as_of
n = len(df)
broken = np.zeros(n); gapret = np.zeros(n); lost = np.zeros(n)
for i in range(n):
    a = act[i]
    # streak lost: a run of >= 3 active days, then a day without activity, within the last 14 days
    run = 0
    for d in range(90):
        if a[d]: run += 1
        else:
            if run >= 3 and d >= 89 - 13: lost[i] = 1
            run = 0
    # rhythm break: a weekday phase with >=3 consecutive weekly hits then a miss, miss within last 21 days
    for ph in range(7):
        days = list(range(89 - ph, -1, -7))[::-1]  # oldest first
        streak = 0
        for d in days:
            if a[d]: streak += 1
            else:
                if streak >= 4 and d >= 89 - 27: broken[i] = 1
                streak = 0
    idle = 0; seen = False
    for d in range(90):
        if a[d] and not seen: seen = True; idle = 0; continue
        if a[d]:
            if idle >= 14 and d >= 89 - 27: gapret[i] = 1
            idle = 0
        else: idle += 1
keys = ["user_id", "as_of", "churn", "censored", "r"]
feat = [c for c in df.columns if c not in keys and df[c].dtype != object]
A = df[feat].values.astype(np.float64); y = df.churn.values
u = df.user_id.values; rng = np.random.default_rng(7); uu = np.unique(u); rng.shuffle(uu)
test_u = set(uu[: len(uu) // 4]); te = np.array([x in test_u for x in u]); tr = ~te
print("broken share", broken.mean(), "churn|broken", y[broken == 1].mean(), "churn|not", y[broken == 0].mean())
print("gapret share", gapret.mean(), "churn|gapret", y[gapret == 1].mean())
print("lost-streak share", lost.mean(), "churn|lost", y[lost == 1].mean(), "churn|not", y[lost == 0].mean())
for name, M in [("agg", A), ("agg+temporal", np.c_[A, broken, gapret, lost])]:
    g = HistGradientBoostingClassifier(max_iter=600, learning_rate=0.05, max_leaf_nodes=31, early_stopping=True, validation_fraction=0.15, n_iter_no_change=30, random_state=7)
    g.fit(M[tr], y[tr]); print(name, round(roc_auc_score(y[te], g.predict_proba(M[te])[:, 1]), 4), flush=True)
rec = df["recency_days"].values
for lim in (7, 14):
    m = rec <= lim
    for name, M in [("agg", A), ("agg+temporal", np.c_[A, broken, gapret, lost])]:
        g = HistGradientBoostingClassifier(max_iter=600, learning_rate=0.05, max_leaf_nodes=31, early_stopping=True, validation_fraction=0.15, n_iter_no_change=30, random_state=7)
        g.fit(M[tr & m], y[tr & m]); print("recency<=", lim, m.mean().round(3), y[m].mean().round(3), name, round(roc_auc_score(y[te & m], g.predict_proba(M[te & m])[:, 1]), 4), flush=True)
