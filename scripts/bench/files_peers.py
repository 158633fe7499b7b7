#!/usr/bin/env python3
"""Times one peer library on one file-format task, in a fresh process.
Prints: BENCH <tool> <task> <file> <wall> s cpu=<cpu> s peakRSS=<MiB> MiB

Usage: files_peers.py TOOL TASK FILE [OUT]
  TOOL  polars | pyarrow | pandas
  TASK  read_csv (plain or .gz) | read_parquet | write_parquet (reads FILE, times writing OUT with snappy)
"""
import os
import resource
import sys
import time

tool, task, path = sys.argv[1], sys.argv[2], sys.argv[3]
out = sys.argv[4] if len(sys.argv) > 4 else None


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if tool == "polars":
    import polars as pl
    jobs = {"read_csv": lambda: pl.read_csv(path), "read_parquet": lambda: pl.read_parquet(path)}
    if task == "write_parquet":
        df = pl.read_parquet(path)
        jobs["write_parquet"] = lambda: df.write_parquet(out, compression="snappy")
elif tool == "pyarrow":
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    jobs = {"read_csv": lambda: pacsv.read_csv(path), "read_parquet": lambda: pq.read_table(path)}
    if task == "write_parquet":
        t = pq.read_table(path)
        jobs["write_parquet"] = lambda: pq.write_table(t, out, compression="snappy")
elif tool == "pandas":
    import pandas as pd
    jobs = {"read_csv": lambda: pd.read_csv(path), "read_parquet": lambda: pd.read_parquet(path)}
else:
    sys.exit(f"unknown tool {tool}")

c0, t0 = cpu(), time.perf_counter()
jobs[task]()
wall, c = time.perf_counter() - t0, cpu() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"BENCH {tool} {task} {os.path.basename(path)} {wall:.3f} s cpu={c:.2f} s peakRSS={peak:.0f} MiB")
