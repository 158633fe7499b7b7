"""Reference values for AnalyticsPandasReferenceTests: a seeded log over
2024-01-01 … 2024-04-30 and its DAU/WAU/MAU, cohort retention matrix and
retention curve computed independently with pandas.
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/analytics_pandas_reference.py"""
import numpy as np
import pandas as pd

rng = np.random.default_rng(11)
start = pd.Timestamp("2024-01-01")
n_users = 25
rows = []
for u in range(1, n_users + 1):
    first = int(rng.integers(0, 100))
    life = int(rng.integers(0, 80))
    k = int(rng.integers(1, 8))
    days = sorted({first} | set(rng.integers(first, min(120, first + life + 1), k).tolist()))
    for d in days:
        rows.append((u, d * 1440 + int(rng.integers(0, 1440))))
df = pd.DataFrame(rows, columns=["user", "minute"])
epoch_day = (start - pd.Timestamp("1970-01-01")).days
df["day"] = epoch_day + df.minute // 1440
print("let events: [(Int64, Int64)] = [  // (user, minutes since 2024-01-01)")
print("    " + ", ".join(f"({u}, {m})" for u, m in zip(df.user, df.minute)))
print("]")

# DAU/WAU/MAU for days 30..<45 after start.
act = df[["user", "day"]].drop_duplicates()
days = range(epoch_day + 30, epoch_day + 45)
dau = [int((act.day == d).sum()) for d in days]
wau = [act[(act.day > d - 7) & (act.day <= d)].user.nunique() for d in days]
mau = [act[(act.day > d - 30) & (act.day <= d)].user.nunique() for d in days]
print(f"let dau: [Double] = {[float(x) for x in dau]}")
print(f"let wau: [Double] = {[float(x) for x in wau]}")
print(f"let mau: [Double] = {[float(x) for x in mau]}")

# Cohort retention by calendar month of first event.
df["month"] = pd.to_datetime(df.day, unit="D").dt.to_period("M")
first = df.groupby("user").month.min().rename("cohort")
m = df.join(first, on="user")
m["k"] = (m.month - m.cohort).apply(lambda x: x.n)
last_month = df.month.max()
size = first.value_counts().sort_index()
print("let cohortSizes: [Double] = " + str([float(x) for x in size]))
print("let cohortMatrix: [[Double?]] = [")
for c in size.index:
    vals = []
    for k in range(4):
        if (c + k) > last_month:
            vals.append("nil")
        else:
            vals.append(repr(float(m[(m.cohort == c) & (m.k == k)].user.nunique() / size[c])))
    print("    [" + ", ".join(vals) + "],")
print("]")

# Retention curve: share with an event on or after signup + N among users with signup + N <= last day.
g = act.groupby("user").day.agg(["min", "max"])
last_day = act.day.max()
elig, ret = [], []
for N in range(0, 61):
    e = g[g["min"] + N <= last_day]
    elig.append(float(len(e)))
    ret.append(float((e["max"] >= e["min"] + N).sum()))
print(f"let eligible: [Double] = {elig}")
print(f"let retained: [Double] = {ret}")
