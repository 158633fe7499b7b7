#!/usr/bin/env python3
"""Times one peer library reading a CSV file; run once per (tool, file) in a fresh process
so peak RSS is per tool. Prints: BENCH <tool> read_csv <file> <wall> s cpu=<cpu> s peakRSS=<MiB> MiB

Usage: csv_peers.py TOOL FILE   (TOOL: polars, polars_dates, pandas, pandas_pyarrow, duckdb)
"""
import os
import resource
import sys
import time

tool, path = sys.argv[1], sys.argv[2]


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if tool.startswith("polars"):
    import polars as pl

    def run():
        return pl.read_csv(path, try_parse_dates=(tool == "polars_dates"))
elif tool.startswith("pandas"):
    import pandas as pd

    def run():
        return pd.read_csv(path, engine="pyarrow" if tool == "pandas_pyarrow" else "c")
elif tool == "duckdb":
    import duckdb

    def run():
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        return con.execute("SELECT count(*) FROM t").fetchone()
else:
    sys.exit(f"unknown tool {tool}")

c0, t0 = cpu(), time.perf_counter()
out = run()
wall, c = time.perf_counter() - t0, cpu() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"BENCH {tool} read_csv {os.path.basename(path)} {wall:.3f} s cpu={c:.2f} s peakRSS={peak:.0f} MiB")
