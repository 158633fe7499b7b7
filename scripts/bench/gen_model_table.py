#!/usr/bin/env python3
"""Seeded churn-like table for the model benchmarks.

1,000,000 rows (by default), 40 numeric + 5 categorical features, a 0/1
target with a realistic, partly non-linear signal (~18% positives):
usage, tenure, billing, support contacts, trends, with interactions,
thresholds, 3-8% missing values in some columns, and categoricals of 3 to
60 levels with their own effects. Rows are i.i.d.: benchmarks use the first
80% for training and the last 20% for testing.

Output (binary, default) in DIR:
  meta.json          {"rows", "numeric": [names], "categorical": [{"name", "levels"}], "train_rows"}
  numeric.f64        float64, column-major (feature 0's rows, then feature 1's ...), NaN = missing
  categorical.i32    int32 codes, column-major, -1 = missing
  target.f64         float64 0/1
With --csv, also DIR/table.csv (header, empty cells = missing).

Usage: gen_model_table.py DIR [--rows N] [--seed S] [--csv]
"""
import argparse, json, os
import numpy as np

def generate(n, seed):
    rng = np.random.default_rng(seed)
    num = {}
    tenure = rng.gamma(2.0, 18.0, n)                          # months
    monthly = rng.normal(65, 25, n).clip(15, 200)
    num["tenure_months"] = tenure
    num["monthly_charge"] = monthly
    num["total_charge"] = monthly * tenure * rng.normal(1, 0.05, n)
    calls = rng.poisson(1.5, n).astype(float)
    num["support_calls"] = calls
    for k, name in enumerate(["day", "eve", "night", "intl", "data"]):
        base = rng.gamma(3 + k, 20, n)
        num[f"{name}_minutes"] = base
        num[f"{name}_minutes_trend"] = rng.normal(0, 1, n) - 0.002 * (base - base.mean())
        num[f"{name}_sessions"] = rng.poisson(base / 10 + 1).astype(float)
    num["days_since_last_login"] = rng.exponential(12, n)
    num["late_payments"] = rng.poisson(0.4, n).astype(float)
    num["discount_pct"] = (rng.random(n) < 0.3) * rng.uniform(5, 30, n)
    num["age"] = rng.normal(45, 14, n).clip(18, 90).round()
    num["household_size"] = rng.poisson(1.6, n).astype(float) + 1
    num["nps_score"] = rng.integers(0, 11, n).astype(float)
    num["app_rating"] = rng.normal(3.8, 0.8, n).clip(1, 5)
    num["outage_hours"] = rng.exponential(2, n)
    num["dropped_calls"] = rng.poisson(2, n).astype(float)
    num["roaming_minutes"] = rng.exponential(5, n) * (rng.random(n) < 0.2)
    num["upgrades"] = rng.poisson(0.3, n).astype(float)
    num["referrals"] = rng.poisson(0.2, n).astype(float)
    num["credit_score"] = rng.normal(680, 60, n).clip(300, 850)
    num["distance_to_store_km"] = rng.lognormal(1.5, 0.8, n)
    k = len(num)
    for j in range(40 - k):                                     # weak or pure-noise features
        num[f"aux_{j}"] = rng.normal(0, 1, n)

    cats = {}
    def cat(name, levels, probs, effects):
        codes = rng.choice(len(levels), n, p=probs).astype(np.int32)
        cats[name] = (codes, levels)
        return np.asarray(effects)[codes]
    contract_eff = cat("contract", ["month-to-month", "one-year", "two-year"], [0.55, 0.25, 0.2], [0.9, -0.3, -1.2])
    pay_eff = cat("payment_method", ["bank", "card", "check", "e-check"], [0.25, 0.3, 0.15, 0.3], [-0.2, -0.1, 0.1, 0.5])
    plan_eff = cat("plan", ["basic", "plus", "premium", "family"], [0.4, 0.3, 0.15, 0.15], [0.2, 0.0, -0.3, -0.4])
    regions = [f"region_{i:02d}" for i in range(60)]
    rp = rng.dirichlet(np.full(60, 2.0))
    region_eff = cat("region", regions, rp, rng.normal(0, 0.35, 60))
    devices = [f"device_{i:02d}" for i in range(20)]
    device_eff = cat("device", devices, rng.dirichlet(np.full(20, 1.5)), rng.normal(0, 0.25, 20))

    logit = (-2.2 + contract_eff + pay_eff + plan_eff + region_eff + device_eff
             - 0.025 * np.minimum(tenure, 60) + 0.012 * (monthly - 65)
             + 0.45 * np.maximum(calls - 2, 0) + 0.9 * (calls >= 5)
             + 0.004 * (num["day_minutes"] - 60) * (monthly > 90)
             - 0.35 * num["day_minutes_trend"] - 0.2 * num["data_minutes_trend"]
             + 0.03 * np.minimum(num["days_since_last_login"], 40)
             + 0.35 * num["late_payments"] - 0.03 * num["discount_pct"]
             - 0.12 * (num["nps_score"] - 5) + 0.15 * num["outage_hours"].clip(0, 8)
             + 0.08 * num["dropped_calls"] - 0.3 * num["upgrades"] - 0.003 * (num["credit_score"] - 680)
             + 0.15 * num["aux_0"] - 0.1 * num["aux_1"] * num["aux_2"])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)

    for name, frac in [("days_since_last_login", 0.05), ("app_rating", 0.08), ("credit_score", 0.03), ("nps_score", 0.06)]:
        num[name][rng.random(n) < frac] = np.nan
    codes, levels = cats["payment_method"]
    codes[rng.random(n) < 0.04] = -1
    return num, cats, y

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir"); ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261122); ap.add_argument("--csv", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    num, cats, y = generate(a.rows, a.seed)
    names = list(num)
    np.stack([num[k] for k in names]).astype(np.float64).tofile(os.path.join(a.dir, "numeric.f64"))
    np.stack([cats[k][0] for k in cats]).astype(np.int32).tofile(os.path.join(a.dir, "categorical.i32"))
    y.tofile(os.path.join(a.dir, "target.f64"))
    meta = {"rows": a.rows, "seed": a.seed, "numeric": names, "train_rows": int(a.rows * 0.8),
            "categorical": [{"name": k, "levels": v[1]} for k, v in cats.items()], "target": "churn"}
    with open(os.path.join(a.dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    if a.csv:
        import pandas as pd
        df = pd.DataFrame(num)
        for k, (codes, levels) in cats.items():
            df[k] = pd.Categorical.from_codes(codes, levels)
        df["churn"] = y.astype(int)
        df.to_csv(os.path.join(a.dir, "table.csv"), index=False)
    print(f"wrote {a.rows} rows, {len(names)} numeric + {len(cats)} categorical features, "
          f"positive rate {y.mean():.3f} to {a.dir}")

if __name__ == "__main__":
    main()
