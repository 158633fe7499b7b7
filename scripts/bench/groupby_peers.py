"""Python peers for scripts/bench/groupby_bench.sh: the same event log (raw
arrays dumped by the Swift bench) grouped by user_id with the same 5
aggregates in DuckDB, polars and pandas. Prints best-of-N wall times."""
import os
import sys
import time

import numpy as np

d = sys.argv[1]
users = np.fromfile(os.path.join(d, "user_id.i64"), dtype="<i8")
ts = np.fromfile(os.path.join(d, "timestamp.i64"), dtype="<i8")
ev = np.fromfile(os.path.join(d, "event.i32"), dtype="<i4")
amount = np.fromfile(os.path.join(d, "amount.f64"), dtype="<f8")
names = np.array(open(os.path.join(d, "events.txt")).read().split("\n"))
n = len(users)


def best(f, reps=5):
    b = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        r = f()
        b = min(b, time.perf_counter() - t)
    return b, r


try:
    import polars as pl
    df = pl.DataFrame({"user_id": users, "timestamp": ts.astype("datetime64[us]"),
                       "event": names[ev], "amount": amount})
    q = lambda: df.group_by("user_id").agg(pl.len().alias("n"), pl.col("amount").sum().alias("total"),
                                           pl.col("amount").mean().alias("avg"), pl.col("timestamp").max().alias("last_ts"),
                                           pl.col("event").n_unique().alias("kinds"))
    t, r = best(q)
    print(f"BENCH polars {pl.__version__} group_by 5 aggs: {t:.3f} s")
    print(f"BENCH check polars: groups={r.height} sum(n)={r['n'].sum()} sum(total)={r['total'].sum():.2f} sum(kinds)={r['kinds'].sum()}")
    try:
        import duckdb
        con = duckdb.connect()
        con.execute(f"SET threads TO {os.cpu_count()}")
        con.register("src", df.to_arrow())
        con.execute("CREATE TABLE t AS SELECT * FROM src")
        sql = ("SELECT user_id, count(*) AS n, sum(amount) AS total, avg(amount) AS avg, max(timestamp) AS last_ts, "
               "count(DISTINCT event) AS kinds FROM t GROUP BY user_id")
        t, r = best(lambda: con.execute(sql).fetchnumpy())
        print(f"BENCH duckdb {duckdb.__version__} group_by 5 aggs: {t:.3f} s")
        ev_enum = ", ".join("'" + s + "'" for s in names)
        con.execute(f"CREATE TYPE ev AS ENUM ({ev_enum})")
        con.execute("CREATE TABLE te AS SELECT user_id, timestamp, event::ev AS event, amount FROM t")
        t, _ = best(lambda: con.execute(sql.replace(" t ", " te ")).fetchnumpy())
        print(f"BENCH duckdb (event as ENUM) group_by 5 aggs: {t:.3f} s")
    except ImportError:
        print("BENCH duckdb not installed")
except ImportError:
    print("BENCH polars not installed")

# sort_by and left join on the same data (the Swift side: GroupByBench/testBenchSortJoin20M).
try:
    import polars as pl
    uid = np.arange(1, 500_001, dtype=np.int64)
    users_pl = pl.DataFrame({"user_id": uid, "plan": np.array(["basic", "plus", "premium", "family"])[uid % 4],
                             "tenure": uid % 72})
    t, r = best(lambda: df.sort(["user_id", "timestamp"], descending=[False, True], maintain_order=True), reps=3)
    print(f"BENCH polars sort_by(user_id, timestamp desc): {t:.3f} s (first amount {r['amount'][0]:.2f})")
    t, r = best(lambda: df.join(users_pl, on="user_id", how="left"), reps=3)
    print(f"BENCH polars left join: {t:.3f} s (sum(tenure)={r['tenure'].sum()})")
    if "con" in globals():
        con.register("usrc", users_pl.to_arrow())
        con.execute("CREATE TABLE u AS SELECT * FROM usrc")
        def dsort():
            con.execute("CREATE OR REPLACE TABLE s AS SELECT * FROM t ORDER BY user_id, timestamp DESC")
        def djoin():
            con.execute("CREATE OR REPLACE TABLE j AS SELECT * FROM t LEFT JOIN u USING (user_id)")
        t, _ = best(dsort, reps=3)
        print(f"BENCH duckdb sort_by (CREATE TABLE AS ... ORDER BY): {t:.3f} s")
        t, _ = best(djoin, reps=3)
        print(f"BENCH duckdb left join (CREATE TABLE AS): {t:.3f} s")
except ImportError:
    pass

try:
    import pandas as pd
    pdf = pd.DataFrame({"user_id": users, "timestamp": ts.astype("datetime64[us]"),
                        "event": pd.Categorical.from_codes(ev, names), "amount": amount})
    t, r = best(lambda: pdf.groupby("user_id").agg(n=("amount", "size"), total=("amount", "sum"), avg=("amount", "mean"),
                                                   last_ts=("timestamp", "max"), kinds=("event", "nunique")), reps=2)
    print(f"BENCH pandas {pd.__version__} group_by 5 aggs: {t:.3f} s")
except ImportError:
    print("BENCH pandas not installed")
