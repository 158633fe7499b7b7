"""DuckDB in memory on the warehouse bench's Parquet log (scripts/bench/warehouse_bench.sh):
load time and the hand-written "direct" query for the bench's spec, checked against the
in-process sums the bench wrote.
    python warehouse_duckdb.py events.parquet local_sums.txt"""
import sys, time
import duckdb

path, sums_path = sys.argv[1], sys.argv[2]
ref = open(sums_path).read().split()
as_of, ref_rows = ref[0], int(ref[1])
ref_sums = {k: float(v) for k, v in (x.split("=") for x in ref[2:])}
TYPES = ["login", "view_course", "finish_lesson", "comment", "share", "purchase", "renew"]
W = [7, 30, 90]

con = duckdb.connect()
t0 = time.perf_counter()
con.execute(f"CREATE TABLE events AS SELECT * FROM read_parquet('{path}')")
load = time.perf_counter() - t0

def win(w):
    return f"ts >= TIMESTAMP '{as_of}' - INTERVAL {w} DAY"
cols = [f"count(*) FILTER (WHERE {win(w)}) AS events_{w}d" for w in W]
cols += [f"count(DISTINCT CAST(ts AS DATE)) FILTER (WHERE {win(w)}) AS active_days_{w}d" for w in W]
cols += [f"count(*) FILTER (WHERE event = '{t}' AND {win(w)}) AS {t}_{w}d" for t in TYPES for w in W]
cols += [f"coalesce(sum(amount) FILTER (WHERE {win(w)}), 0) AS amount_{w}d" for w in W]
cols += [f"avg(amount) FILTER (WHERE {win(w)}) AS amount_mean_{w}d" for w in W]
cols.append(f"(epoch_us(TIMESTAMP '{as_of}') - epoch_us(max(ts))) / 86400e6 AS recency_days")
cur, prev = f"count(*) FILTER (WHERE {win(30)})", f"count(*) FILTER (WHERE {win(60)} AND NOT {win(30)})"
cols.append(f"CASE WHEN {prev} > 0 THEN {cur} / {prev} WHEN {cur} = 0 THEN 1.0 ELSE CAST({cur} AS DOUBLE) END AS trend_30d")
sql = (f"SELECT user_id, {', '.join(cols)} FROM events WHERE ts < TIMESTAMP '{as_of}' "
       "GROUP BY user_id ORDER BY user_id")
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    out = con.sql(sql).fetchnumpy()
    best = min(best, time.perf_counter() - t0)
rows = len(out["user_id"])
ok = rows == ref_rows and all(abs(float(out[c].sum()) - v) <= 1e-6 * max(1.0, abs(v)) for c, v in ref_sums.items())
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(f"DuckDB {duckdb.__version__} in memory ({threads} threads): load Parquet {load:.2f} s, "
      f"direct query {best:.2f} s (best of 3), rows {rows}, vs in-process: {'same' if ok else 'MISMATCH'}")
