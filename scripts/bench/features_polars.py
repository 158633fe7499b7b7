"""Polars peer of scripts/bench/features_bench.lua: same events (the raw arrays and
the CSV of gen_feature_events.py), same spec: recency, events / active days / amount
sum+mean over 7/30/90 days, per-type counts for 7 types, trend over 30 days.
In memory: group_by on the arrays (type as an integer code). End to end: the lazy
scan_csv pipeline (dates parsed, event names compared as text), one collect."""
import sys, time
import numpy as np
import polars as pl

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/churnlab_bench_features"
DAY = 86_400_000_000
types = open(f"{d}/types.txt").read().split("\n")
asof = int(open(f"{d}/asof.txt").read())
df = pl.DataFrame({
    "user_id": np.fromfile(f"{d}/user.i64", dtype="<i8"),
    "ts": np.fromfile(f"{d}/ts.i64", dtype="<i8"),
    "type": np.fromfile(f"{d}/type.i32", dtype="<i4"),
    "amount": np.fromfile(f"{d}/amount.f64", dtype="<f8"),
}).with_columns(pl.col("amount").fill_nan(None))

def pipeline(lf, is_type):
    ts = pl.col("ts")
    aggs = [((pl.lit(asof) - ts.max()) / DAY).alias("recency_days")]
    for w in (7, 30, 90):
        inw = ts >= asof - w * DAY
        aggs += [inw.sum().alias(f"events_{w}d"),
                 (ts // DAY).filter(inw).n_unique().alias(f"active_days_{w}d"),
                 pl.col("amount").filter(inw).sum().alias(f"amount_{w}d"),
                 pl.col("amount").filter(inw).mean().alias(f"amount_mean_{w}d")]
        aggs += [(inw & is_type(k, name)).sum().alias(f"{name}_{w}d") for k, name in enumerate(types)]
    aggs += [(ts >= asof - 30 * DAY).sum().alias("_cur"), ((ts >= asof - 60 * DAY) & (ts < asof - 30 * DAY)).sum().alias("_prev")]
    return (lf.filter(pl.col("ts") < asof).group_by("user_id").agg(aggs)
            .with_columns(pl.when(pl.col("_prev") > 0).then(pl.col("_cur") / pl.col("_prev"))
                          .when(pl.col("_cur") == 0).then(1.0).otherwise(pl.col("_cur").cast(pl.Float64)).alias("trend_30d"))
            .drop("_cur", "_prev").sort("user_id").collect())

def run():
    return pipeline(df.lazy(), lambda k, name: pl.col("type") == k)

def run_csv():
    lf = (pl.scan_csv(f"{d}/events.csv", schema={"user_id": pl.Int64, "ts": pl.Utf8, "event": pl.Utf8, "amount": pl.Float64})
          .with_columns(pl.col("ts").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us").dt.epoch("us")))
    return pipeline(lf, lambda k, name: pl.col("event") == name)

best = float("inf")
for _ in range(3):
    t0 = time.perf_counter(); out = run(); best = min(best, time.perf_counter() - t0)
print(f"bench features polars {pl.__version__}: features {best:.3f}s (best of 3), threads {pl.thread_pool_size()}")
print("bench check polars: rows %d cols %d events_30d %.0f active_days_30d %.0f purchase_90d %.0f amount_90d %.2f recency_days %.4f trend_30d %.4f" % (
    out.height, out.width - 1, out["events_30d"].sum(), out["active_days_30d"].sum(), out["purchase_90d"].sum(),
    out["amount_90d"].sum(), out["recency_days"].sum(), out["trend_30d"].sum()))

import os
if os.path.exists(f"{d}/events.csv"):
    best_csv = float("inf")
    for _ in range(2):
        t0 = time.perf_counter(); out2 = run_csv(); best_csv = min(best_csv, time.perf_counter() - t0)
    print(f"bench features polars end-to-end: scan_csv -> features {best_csv:.3f}s (best of 2), {out2.height} users")
    print("bench check polars csv: rows %d events_30d %.0f amount_90d %.2f" % (out2.height, out2["events_30d"].sum(), out2["amount_90d"].sum()))
