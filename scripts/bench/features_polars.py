"""Polars peer of FeatureBenchTests.testBenchFeatures: same events (raw arrays
written by the Swift bench), same spec: recency, events / active days / amount
sum+mean over 7/30/90 days, per-type counts for 7 types, trend over 30 days."""
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

def run():
    ts, ty = pl.col("ts"), pl.col("type")
    aggs = [((pl.lit(asof) - ts.max()) / DAY).alias("recency_days")]
    for w in (7, 30, 90):
        inw = ts >= asof - w * DAY
        aggs += [inw.sum().alias(f"events_{w}d"),
                 (ts // DAY).filter(inw).n_unique().alias(f"active_days_{w}d"),
                 pl.col("amount").filter(inw).sum().alias(f"amount_{w}d"),
                 pl.col("amount").filter(inw).mean().alias(f"amount_mean_{w}d")]
        aggs += [(inw & (ty == k)).sum().alias(f"{name}_{w}d") for k, name in enumerate(types)]
    aggs += [(ts >= asof - 30 * DAY).sum().alias("_cur"), ((ts >= asof - 60 * DAY) & (ts < asof - 30 * DAY)).sum().alias("_prev")]
    out = (df.lazy().filter(pl.col("ts") < asof).group_by("user_id").agg(aggs)
           .with_columns(pl.when(pl.col("_prev") > 0).then(pl.col("_cur") / pl.col("_prev"))
                         .when(pl.col("_cur") == 0).then(1.0).otherwise(pl.col("_cur").cast(pl.Float64)).alias("trend_30d"))
           .drop("_cur", "_prev").sort("user_id").collect())
    return out

best = float("inf")
for _ in range(3):
    t0 = time.perf_counter(); out = run(); best = min(best, time.perf_counter() - t0)
print(f"bench features polars {pl.__version__}: features {best:.3f}s (best of 3), threads {pl.thread_pool_size()}")
print("bench check polars: rows %d cols %d events_30d %.0f active_days_30d %.0f purchase_90d %.0f amount_90d %.2f recency_days %.4f trend_30d %.4f" % (
    out.height, out.width - 1, out["events_30d"].sum(), out["active_days_30d"].sum(), out["purchase_90d"].sum(),
    out["amount_90d"].sum(), out["recency_days"].sum(), out["trend_30d"].sum()))
