#!/usr/bin/env python3
"""Seeded event log of the feature benchmark (issue 19: 20M events / 1M users),
the distribution FeatureBenchTests used: users uniform, times uniform over 365
days from 2024-01-01 (whole seconds), seven event types weighted
35/30/15/8/5/5/2 %, amounts 9.99-99.98 on purchase and renew, none otherwise.

Writes into DIR, all from the same arrays:
  events.csv      user_id,ts,event,amount   (ts 'YYYY-MM-DD HH:MM:SS', empty amount = null)
  events.parquet  the same columns (ts a µs timestamp, event a string), for the in-memory runs
  user.i64 ts.i64 type.i32 amount.f64 types.txt asof.txt
                  raw little-endian arrays for the polars / DuckDB in-memory peers
                  (ts in µs since the epoch, NaN = no amount; as_of = 2024-01-01 + 300 days)

Usage: gen_feature_events.py DIR [--events N] [--users N]   (seed fixed at 2024)
"""
import argparse, os
import numpy as np
import polars as pl

TYPES = ["login", "view_course", "finish_lesson", "comment", "share", "purchase", "renew"]
WEIGHTS = np.array([35, 30, 15, 8, 5, 5, 2]) / 100
START_DAY, AS_OF_DAY = 19_723, 19_723 + 300          # 2024-01-01, 2024-10-27
DAY_US = 86_400_000_000

ap = argparse.ArgumentParser()
ap.add_argument("dir"); ap.add_argument("--events", type=int, default=20_000_000)
ap.add_argument("--users", type=int, default=1_000_000)
a = ap.parse_args()
os.makedirs(a.dir, exist_ok=True)
rng = np.random.default_rng(2024)
n = a.events
user = rng.integers(0, a.users, n, dtype=np.int64)
ts = START_DAY * DAY_US + rng.integers(0, 365 * 86_400, n, dtype=np.int64) * 1_000_000
kind = rng.choice(len(TYPES), n, p=WEIGHTS).astype(np.int32)
amount = np.where(kind >= 5, (999 + rng.integers(0, 9000, n)) / 100, np.nan)

for arr, name in ((user, "user.i64"), (ts, "ts.i64"), (kind, "type.i32"), (amount, "amount.f64")):
    arr.tofile(os.path.join(a.dir, name))
open(os.path.join(a.dir, "types.txt"), "w").write("\n".join(TYPES))
open(os.path.join(a.dir, "asof.txt"), "w").write(str(AS_OF_DAY * DAY_US))
df = pl.DataFrame({
    "user_id": user,
    "ts": pl.Series(ts).cast(pl.Datetime("us")),
    "event": pl.Series(np.array(TYPES)[kind]),
    "amount": pl.Series(amount).fill_nan(None),
})
df.write_csv(os.path.join(a.dir, "events.csv"), datetime_format="%Y-%m-%d %H:%M:%S")
df.write_parquet(os.path.join(a.dir, "events.parquet"))
print(f"wrote {n:,} events of {a.users:,} users to {a.dir}")
