"""DuckDB SQL peer of scripts/bench/features_bench.lua (same events: the arrays of gen_feature_events.py; same spec)."""
import sys, time
import numpy as np
import duckdb
import pyarrow as pa

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/churnlab_bench_features"
DAY = 86_400_000_000
types = open(f"{d}/types.txt").read().split("\n")
asof = int(open(f"{d}/asof.txt").read())
amount = np.fromfile(f"{d}/amount.f64", dtype="<f8")
events = pa.table({
    "user_id": np.fromfile(f"{d}/user.i64", dtype="<i8"),
    "ts": np.fromfile(f"{d}/ts.i64", dtype="<i8"),
    "type": np.fromfile(f"{d}/type.i32", dtype="<i4"),
    "amount": pa.array(amount, mask=np.isnan(amount)),
})
con = duckdb.connect()
con.execute("CREATE TABLE events AS SELECT * FROM events")

cols = [f"({asof} - max(ts)) / {DAY}.0 AS recency_days"]
for w in (7, 30, 90):
    c = f"ts >= {asof - w * DAY}"
    cols += [f"count(*) FILTER (WHERE {c}) AS events_{w}d",
             f"count(DISTINCT ts // {DAY}) FILTER (WHERE {c}) AS active_days_{w}d",
             f"coalesce(sum(amount) FILTER (WHERE {c}), 0) AS amount_{w}d",
             f"avg(amount) FILTER (WHERE {c}) AS amount_mean_{w}d"]
    cols += [f"count(*) FILTER (WHERE {c} AND type = {k}) AS {name}_{w}d" for k, name in enumerate(types)]
cur = f"count(*) FILTER (WHERE ts >= {asof - 30 * DAY})"
prev = f"count(*) FILTER (WHERE ts >= {asof - 60 * DAY} AND ts < {asof - 30 * DAY})"
cols.append(f"CASE WHEN {prev} > 0 THEN {cur} / {prev} WHEN {cur} = 0 THEN 1.0 ELSE {cur}::DOUBLE END AS trend_30d")
sql = f"SELECT user_id, {', '.join(cols)} FROM events WHERE ts < {asof} GROUP BY user_id ORDER BY user_id"

best = float("inf")
for _ in range(3):
    t0 = time.perf_counter(); out = con.sql(sql).to_arrow_table(); best = min(best, time.perf_counter() - t0)
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(f"bench features duckdb {duckdb.__version__}: features {best:.3f}s (best of 3), threads {threads}")
s = lambda c: float(np.nansum(out.column(c).to_numpy(zero_copy_only=False).astype("f8")))
print("bench check duckdb: rows %d cols %d events_30d %.0f active_days_30d %.0f purchase_90d %.0f amount_90d %.2f recency_days %.4f trend_30d %.4f" % (
    out.num_rows, out.num_columns - 1, s("events_30d"), s("active_days_30d"), s("purchase_90d"),
    s("amount_90d"), s("recency_days"), s("trend_30d")))
