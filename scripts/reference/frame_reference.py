"""Reference values for Tests/lua/expr_functions_test.lua and frame_analysis_test.lua.

Run: python3 -m venv .venv-ref && .venv-ref/bin/pip install pandas scipy
     .venv-ref/bin/python scripts/reference/frame_reference.py
The printed numbers are written next to the Lua assertions (no Python at test time).
"""
import numpy as np
import pandas as pd

pd.set_option("display.precision", 17)

x = pd.Series([3.0, 1.0, None, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
print("rank average", x.rank(method="average").tolist())
print("rank min", x.rank(method="min").tolist())
print("rank max", x.rank(method="max").tolist())
print("rank dense", x.rank(method="dense").tolist())
print("rank first", x.rank(method="first").tolist())
print("rank desc min", x.rank(method="min", ascending=False).tolist())
print("cumsum", x.cumsum().tolist())
print("shift1", x.shift(1).tolist())
print("shift-2", x.shift(-2).tolist())
print("skew", repr(x.skew()), "kurt", repr(x.kurt()))
print("round", pd.Series([0.5, 1.5, 2.5, -0.5, 1.25, 2.675]).round(0).tolist(),
      pd.Series([1.25, 2.675, -1.35]).round(1).tolist())
print("clip", pd.Series([-2.0, 0.5, 3.0, np.nan]).clip(0, 1).tolist())
print("floordiv int", (pd.Series([7, -7, 7, -7]) // pd.Series([2, 2, -2, -2])).tolist())
print("floordiv float", (pd.Series([7.5, -7.5]) // 2).tolist())
print("log1p asinh", np.log1p([0.0, 1.0, 9.0]).tolist(), np.arcsinh([-1.0, 0.0, 2.0]).tolist())

d = pd.to_datetime(pd.Series(["2024-01-31", "2023-01-31", "2024-02-29", "2023-12-15", "2020-03-31"]))
print("add_months 1", (d + pd.DateOffset(months=1)).dt.strftime("%Y-%m-%d").tolist())
print("add_months -1", (d + pd.DateOffset(months=-1)).dt.strftime("%Y-%m-%d").tolist())
print("add_months 12", (d + pd.DateOffset(months=12)).dt.strftime("%Y-%m-%d").tolist())
print("weekday", d.dt.dayofweek.tolist(), "doy", d.dt.dayofyear.tolist(), "quarter", d.dt.quarter.tolist())

df = pd.DataFrame({
    "user_id": [1, 2, 1, 2, 1, 3],
    "date": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02", "2024-01-01"]),
    "x": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
})
s = df.sort_values(["user_id", "date"])
df["prev"] = s.groupby("user_id")["x"].shift(1)
df["cs"] = s.groupby("user_id")["x"].cumsum()
df["rk"] = s.groupby("user_id")["x"].rank(method="min", ascending=False)
print("over prev", df["prev"].tolist())
print("over cumsum", df["cs"].tolist())
print("over rank", df["rk"].tolist())

a = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, None], "b": [2.0, 1.0, 4.0, 3.0, 7.0, 1.0], "c": [1, 1, 2, 3, 5, 8]})
print("corr pearson\n", a.corr().to_numpy().tolist())
print("corr spearman\n", a.corr(method="spearman").to_numpy().tolist())
print("skew cols", a.skew().tolist(), "kurt cols", a.kurt().tolist())

ct = pd.DataFrame({"plan": ["a", "b", "a", "a", "b", None], "churn": ["no", "yes", "yes", "no", "no", "no"]})
print("crosstab\n", pd.crosstab(ct.plan, ct.churn))
print("crosstab index\n", pd.crosstab(ct.plan, ct.churn, normalize="index").to_numpy().tolist())

left = pd.DataFrame({"t": [1, 5, 10, 12], "k": ["a", "a", "b", "a"]})
right = pd.DataFrame({"t": [1, 2, 3, 6, 7, 11], "k": ["a", "a", "b", "a", "b", "b"], "v": [10, 20, 30, 60, 70, 110]})
for direction in ["backward", "forward", "nearest"]:
    r = pd.merge_asof(left, right, on="t", by="k", direction=direction)
    print("asof", direction, r["v"].tolist())
r = pd.merge_asof(left, right, on="t", by="k", direction="backward", tolerance=2)
print("asof backward tol2", r["v"].tolist())
r = pd.merge_asof(left, right, on="t", by="k", allow_exact_matches=False)
print("asof backward not exact", r["v"].tolist())

m = pd.DataFrame({"id": [1, 2], "a": [1, 2], "b": [3.5, 4.5]})
print("melt\n", m.melt(id_vars=["id"]))
print("nlargest", pd.DataFrame({"v": [3, 1, 3, 2, 5]}).nlargest(3, "v").index.tolist())
