"""pandas reference for group aggregates over windows
(cl.col("x"):sum():over("user") etc.; Tests/lua/window_aggregates_test.lua).

Whole-group values: df.groupby("user")["x"].transform(op) for sum, mean, min,
max, count, first, last (nulls skipped). Running values (order_by = "day"):
rows sorted by (user, day), then groupby cumsum / cummin / cummax / expanding
mean / cumulative count of non-null, ffill for last; printed in input order.

Run: .venv-ref/bin/python scripts/reference/window_aggregates_reference.py
"""
import numpy as np
import pandas as pd

df = pd.DataFrame({
    "user": ["a", "b", "a", "b", "a", "c", "a", "b"],
    "day": [3, 1, 1, 2, 2, 1, 4, 3],
    "x": [1.5, 2.25, np.nan, 10.0, -3.5, 7.0, 0.1, np.nan],
    "k": [1, 2, 3, 4, 5, 6, 7, 8],
})
g = df.groupby("user")["x"]
for op in ["sum", "mean", "min", "max", "count", "first", "last"]:
    print(op, [None if pd.isna(v) else repr(float(v)) for v in g.transform(op)])
print("k sum", list(df.groupby("user")["k"].transform("sum")))
s = df.sort_values(["user", "day"], kind="stable")
gs = s.groupby("user")["x"]
run = pd.DataFrame({
    "cumsum": gs.cumsum(), "cummin": gs.cummin(), "cummax": gs.cummax(),
    "mean": gs.expanding().mean().reset_index(level=0, drop=True),
    "count": gs.expanding().count().reset_index(level=0, drop=True),
    "last": gs.ffill(),
}).loc[df.index]
for col in run.columns:
    print("running", col, [None if pd.isna(v) else repr(float(v)) for v in run[col]])
