#!/usr/bin/env python3
"""Seeded generator for the CSV benchmarks.

  wide.csv   1,000,000 rows x 46 columns: customer table (ints, floats with 2-4 decimals,
             text categories, yes/no flags, dates, a few nulls)
  events.csv 20,000,000 rows: user_id,timestamp,event,amount

Usage: gen_tables.py OUT_DIR [--rows N] [--events N]   (seed fixed at 20241122)
"""
import argparse
import os

import numpy as np
import polars as pl

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--rows", type=int, default=1_000_000)
ap.add_argument("--events", type=int, default=20_000_000)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
rng = np.random.default_rng(20241122)

n = a.rows
cols = {"customer_id": np.arange(1, n + 1)}
states = np.array(["CA", "NY", "TX", "WA", "FL", "IL", "OH", "GA", "NC", "MI", "NJ", "VA"])
plans = np.array(["basic", "plus", "premium", "family", "student"])
cols["state"] = states[rng.integers(0, len(states), n)]
cols["plan"] = plans[rng.integers(0, len(plans), n)]
base = np.datetime64("2018-01-01")
cols["signup_date"] = (base + rng.integers(0, 2500, n).astype("timedelta64[D]")).astype(str)
for i in range(12):
    cols[f"usage_{i:02d}"] = np.round(rng.gamma(2.0, 50.0, n), 2)
for i in range(10):
    cols[f"count_{i:02d}"] = rng.poisson(3 + i, n)
for i in range(10):
    cols[f"ratio_{i:02d}"] = np.round(rng.random(n), 4)
for i in range(5):
    cols[f"flag_{i}"] = np.where(rng.random(n) < 0.3, "yes", "no")
cols["tenure_months"] = rng.integers(0, 72, n)
cols["monthly_charge"] = np.round(rng.normal(60, 20, n), 2)
cols["support_calls"] = rng.poisson(1.5, n)
cols["churn"] = rng.integers(0, 2, n)
cols["segment"] = np.array(["a", "b", "c", "d"])[rng.integers(0, 4, n)]
assert len(cols) == 46, len(cols)
df = pl.DataFrame(cols)
# ~1% nulls in two columns
mask = rng.random(n) < 0.01
df = df.with_columns(pl.when(pl.Series(mask)).then(None).otherwise(pl.col("monthly_charge")).alias("monthly_charge"),
                     pl.when(pl.Series(mask)).then(None).otherwise(pl.col("plan")).alias("plan"))
df.write_csv(os.path.join(a.out, "wide.csv"))

m = a.events
users = rng.integers(1, 500_001, m)
t0 = np.datetime64("2024-01-01T00:00:00")
ts = (np.sort(rng.integers(0, 270 * 86400, m)).astype("timedelta64[s]") + t0).astype("datetime64[us]")
events = np.array(["login", "view", "click", "purchase", "logout", "support", "upgrade", "cancel"])
ev = events[rng.integers(0, len(events), m)]
amount = np.round(rng.exponential(20.0, m), 2)
ev_df = pl.DataFrame({"user_id": users, "timestamp": ts, "event": ev, "amount": amount})
ev_df.write_csv(os.path.join(a.out, "events.csv"), datetime_format="%Y-%m-%d %H:%M:%S")
print("wrote", os.path.join(a.out, "wide.csv"), "and", os.path.join(a.out, "events.csv"))
