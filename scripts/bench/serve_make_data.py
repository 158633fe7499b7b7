"""Data and anchor model for the serve benchmark (scripts/bench/serve_bench.sh).

Writes <dir>/train.csv (50,000 rows x 45 numeric features f1..f45 + churn, seed 7),
<dir>/rows_1.json and <dir>/rows_1000.json, <dir>/rows_1000_reasons.json (request bodies for /v1/score and the
anchor's /score), <dir>/events_1000.json (a /v1/events body), and trains the
anchor LightGBM model (200 trees, 31 leaves, lr 0.1) into <dir>/lgbm.txt.
"""
import json
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
n, p = 50_000, 45
X = rng.normal(size=(n, p))
logit = X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.3 * np.abs(X[:, 4]) - 0.5
y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
names = [f"f{i + 1}" for i in range(p)]
with open(f"{out}/train.csv", "w") as f:
    f.write(",".join(names) + ",churn\n")
    for i in range(n):
        f.write(",".join(f"{v:.6f}" for v in X[i]) + f",{y[i]}\n")


def rows(k):
    return [{nm: round(float(X[i, j]), 6) for j, nm in enumerate(names)} for i in range(k)]


json.dump({"rows": rows(1), "reasons": False}, open(f"{out}/rows_1.json", "w"))
json.dump({"rows": rows(1), "reasons": True}, open(f"{out}/rows_1_reasons.json", "w"))
json.dump({"rows": rows(1000), "reasons": False}, open(f"{out}/rows_1000.json", "w"))
json.dump({"rows": rows(1000), "reasons": True}, open(f"{out}/rows_1000_reasons.json", "w"))
ev = [{"user": f"u{int(rng.integers(0, 1_000_000))}", "type": ["login", "view", "purchase"][i % 3],
       "time": "2026-11-%02dT%02d:%02d:00Z" % (1 + i % 28, i % 24, i % 60)} for i in range(1000)]
json.dump({"events": ev}, open(f"{out}/events_1000.json", "w"))

import lightgbm as lgb  # noqa: E402

booster = lgb.train({"objective": "binary", "num_leaves": 31, "learning_rate": 0.1, "verbose": -1, "seed": 7,
                     "num_threads": 2}, lgb.Dataset(X, y, feature_name=list(names)), num_boost_round=200)
booster.save_model(f"{out}/lgbm.txt")
