"""Reference index sets for the cross-validation splitters (Tests/lua/selection_folds_test.lua).

Run: python3 -m venv .venv-ref && .venv-ref/bin/pip install scikit-learn
     .venv-ref/bin/python scripts/reference/cv_splits.py
Prints 1-based test (and train) rows per fold, as the Lua test writes them.
Produced with scikit-learn 1.9.1.
"""
import numpy as np
from sklearn.model_selection import GroupKFold, TimeSeriesSplit

def show(name, splits):
    print(name)
    for train, test in splits:
        print("  train", [int(i) + 1 for i in train], "test", [int(i) + 1 for i in test])

# Groups of sizes 1..5 (distinct) in scrambled row order, k = 3.
groups = ["u3", "u1", "u5", "u3", "u2", "u5", "u4", "u5", "u4", "u3", "u5", "u2", "u4", "u5", "u4"]
X = np.zeros((len(groups), 1))
show("GroupKFold(n_splits=3)", GroupKFold(n_splits=3).split(X, groups=groups))

# Time series: 12 rows whose times are out of order; rows sorted by time first.
times = [5, 1, 9, 3, 12, 7, 2, 11, 4, 10, 6, 8]
order = np.argsort(times, kind="stable")
for gap in (0, 2):
    splits = TimeSeriesSplit(n_splits=3, gap=gap).split(X[:12])
    show(f"TimeSeriesSplit(n_splits=3, gap={gap}) over rows sorted by time",
         [(order[tr], order[te]) for tr, te in splits])
