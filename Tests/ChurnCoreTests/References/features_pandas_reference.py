"""Reference values for FeaturePandasReferenceTests: a small seeded event log
and its point-in-time features computed independently with pandas.
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/features_pandas_reference.py
Prints Swift literals pasted into Features/FeaturePandasReferenceTests.swift."""
import numpy as np
import pandas as pd

DAY = 86_400_000_000
MIN = 60_000_000
rng = np.random.default_rng(7)
n = 60
users = rng.integers(1, 8, n)
# Times in minutes over days 60..110 with some clustering (several events within minutes).
base = rng.integers(60 * 1440, 110 * 1440, n)
base[::3] = base[1::3][: len(base[::3])] + rng.integers(1, 45, len(base[::3]))
ts = base.astype(np.int64) * MIN
types = rng.choice(["login", "view", "buy"], n, p=[0.5, 0.35, 0.15])
amount = np.where(types == "buy", rng.integers(1, 100, n).astype(float), np.nan)
asof = 100 * DAY
df = pd.DataFrame({"user": users, "ts": ts, "type": types, "amount": amount})

print("// events: (user, minutes since epoch, type, amount or nil)")
print("let events: [(Int64, Int64, String, Double?)] = [")
for r in df.itertuples():
    a = "nil" if np.isnan(r.amount) else f"{r.amount:g}"
    print(f'    ({r.user}, {r.ts // MIN}, "{r.type}", {a}),')
print("]")

past = df[df.ts < asof].sort_values(["user", "ts"], kind="stable")
rows = []
for u, g in past.groupby("user"):
    t = g.ts.to_numpy()
    rec = {"user": u}
    for w in (7, 30):
        inw = g[g.ts >= asof - w * DAY]
        rec[f"events_{w}d"] = len(inw)
        rec[f"active_days_{w}d"] = inw.ts.floordiv(DAY).nunique()
        rec[f"view_{w}d"] = int((inw.type == "view").sum())
        rec[f"amount_{w}d"] = float(inw.amount.sum())
        rec[f"amount_mean_{w}d"] = inw.amount.mean()  # NaN when none
        prev = g[(g.ts >= asof - 2 * w * DAY) & (g.ts < asof - w * DAY)]
        c, p = len(inw), len(prev)
        rec[f"trend_{w}d"] = c / p if p > 0 else (1.0 if c == 0 else float(c))
    rec["recency_days"] = (asof - t.max()) / DAY
    buys = g[g.type == "buy"]
    rec["recency_buy_days"] = (asof - buys.ts.max()) / DAY if len(buys) else np.nan
    rec["tenure_days"] = (asof - t.min()) / DAY
    gaps = np.diff(t)
    rec["gap_mean_days"] = gaps.mean() / DAY if len(gaps) else np.nan
    rec["gap_max_days"] = gaps.max() / DAY if len(gaps) else np.nan
    b = g[g.ts >= asof - 30 * DAY].ts.to_numpy()
    if len(b):
        new = np.concatenate([[True], np.diff(b) > 30 * MIN])
        sid = np.cumsum(new)
        lens = pd.Series(b).groupby(sid).agg(lambda s: s.max() - s.min())
        rec["sessions_30d"] = int(new.sum())
        rec["session_minutes_mean_30d"] = lens.mean() / MIN
        wd = pd.to_datetime(b, unit="us").day_of_week
        rec["weekend_share_30d"] = float((wd >= 5).mean())
    else:
        rec["sessions_30d"] = 0
        rec["session_minutes_mean_30d"] = np.nan
        rec["weekend_share_30d"] = np.nan
    rows.append(rec)
out = pd.DataFrame(rows)
print("// expected features by column, users ascending; nil = null")
print(f"let expectedUsers: [Int64] = {out.user.tolist()}")
print("let expected: [String: [Double?]] = [")
for c in out.columns[1:]:
    vals = ", ".join("nil" if pd.isna(v) else repr(float(v)) for v in out[c])
    print(f'    "{c}": [{vals}],')
print("]")
