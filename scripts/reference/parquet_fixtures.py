#!/usr/bin/env python3
"""Parquet fixtures written by pyarrow, and the check that pyarrow reads what
churnlab writes.

    python3 -m venv .venv-ref && .venv-ref/bin/pip install pyarrow
    .venv-ref/bin/python scripts/reference/parquet_fixtures.py            # (re)write the fixtures
    .venv-ref/bin/python scripts/reference/parquet_fixtures.py --check .build/debug/churnlab

Each fixture Tests/ChurnCoreTests/Fixtures/parquet/NAME.parquet comes with
NAME.expected.json: pyarrow's own reading of it, column by column (dates as
days since 1970-01-01, timestamps as microseconds since the epoch, floats as
exact hexadecimal strings (float.hex), NaN as "NaN", null as null), which ParquetReaderTests compares against.

--check runs churnlab to read every fixture and write it back with each
compression (snappy, zstd, gzip, none; dictionary on and off; data pages v1 and
v2), then reads those files with pyarrow and compares them with the expected
values: the writer's output must be valid Parquet that pyarrow reads equal, and
every column chunk's statistics (pq.ParquetFile(f).metadata.row_group(i).column(j)
.statistics: null_count, min, max) must match the chunk's values.
"""
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "ChurnCoreTests", "Fixtures", "parquet")
EPOCH = dt.datetime(1970, 1, 1)


def mixed_table():
    n = 10
    def nul(i, k):
        return i % k == 0
    return pa.table({
        "i64": pa.array([None if nul(i, 4) else i * 1_000_000_007 - 3 for i in range(n)], pa.int64()),
        "i32": pa.array([i - 5 for i in range(n)], pa.int32()),
        "i8": pa.array([(-1) ** i * i for i in range(n)], pa.int8()),
        "i16": pa.array([None if i == 3 else 300 * i for i in range(n)], pa.int16()),
        "f64": pa.array([None if i == 2 else (float("nan") if i == 5 else i / 3 - 1) for i in range(n)], pa.float64()),
        "f32": pa.array([i * 0.25 for i in range(n)], pa.float32()),
        "b": pa.array([None if i == 7 else i % 3 == 0 for i in range(n)], pa.bool_()),
        "s": pa.array([None if i == 1 else ["alpha", "beta", "", "größe 流失"][i % 4] for i in range(n)], pa.string()),
        "d": pa.array([None if i == 9 else dt.date(2024, 1, 31) + dt.timedelta(days=29 * i) for i in range(n)], pa.date32()),
        "ts_ms": pa.array([EPOCH + dt.timedelta(milliseconds=1_700_000_000_123 + 86_400_000 * i) for i in range(n)], pa.timestamp("ms")),
        "ts_us": pa.array([None if i == 4 else dt.datetime(1969, 12, 31, 23, 59, 59, 999_999) + dt.timedelta(hours=i) for i in range(n)],
                          pa.timestamp("us", tz="UTC")),
        "ts_ns": pa.array([1_600_000_000_123_456_789 + i * 1_001 for i in range(n)], pa.timestamp("ns")),
    })


def many_table():
    n = 1000
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "x": pa.array([None if i % 13 == 0 else i * 0.5 for i in range(n)], pa.float64()),
        "s": pa.array([None if i % 11 == 0 else "k%d" % (i % 7) for i in range(n)], pa.string()),
        "flag": pa.array([i % 2 == 0 for i in range(n)], pa.bool_()),
    })


FIXTURES = {
    # name: (table, pyarrow.parquet.write_table keyword arguments)
    "mixed_snappy_v1": (mixed_table, dict(compression="snappy", data_page_version="1.0", row_group_size=4)),
    "mixed_zstd_v2_plain": (mixed_table, dict(compression="zstd", data_page_version="2.0", use_dictionary=False, row_group_size=6)),
    "mixed_gzip_v2_dict": (mixed_table, dict(compression="gzip", data_page_version="2.0", use_dictionary=True)),
    "int96_legacy": (lambda: mixed_table().select(["i32", "ts_us", "ts_ms"]),
                     dict(compression="none", use_deprecated_int96_timestamps=True)),
    "many_pages_none": (many_table, dict(compression="none", row_group_size=300, data_page_size=256,
                                         write_batch_size=50)),
}


def cell(v, typ):
    if v is None:
        return None
    if pa.types.is_date(typ):
        return (v - dt.date(1970, 1, 1)).days
    if pa.types.is_timestamp(typ):
        return None  # handled from the integer storage below
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else v.hex()   # exact: JSON decimal text may lose the last bit
    return v


def expected(table):
    cols = {}
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        typ = col.type
        if pa.types.is_timestamp(typ):
            per_us = {"s": None, "ms": 1000, "us": 1, "ns": None}[typ.unit]
            ints = col.cast(pa.int64()).to_pylist()
            if typ.unit == "ns":
                vals = [None if v is None else v // 1000 for v in ints]
            else:
                vals = [None if v is None else v * per_us for v in ints]
            cols[name] = {"type": "timestamp", "values": vals}
        else:
            kind = ("date" if pa.types.is_date(typ) else "bool" if pa.types.is_boolean(typ) else
                    "string" if pa.types.is_string(typ) else "float" if pa.types.is_floating(typ) else "int")
            cols[name] = {"type": kind, "values": [cell(v, typ) for v in col.to_pylist()]}
    return {"names": table.column_names, "rows": table.num_rows, "columns": cols}


def write_fixtures():
    os.makedirs(OUT, exist_ok=True)
    for name, (make, kw) in FIXTURES.items():
        path = os.path.join(OUT, name + ".parquet")
        pq.write_table(make(), path, **kw)
        back = pq.read_table(path)   # pyarrow's reading of the file is the reference
        with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
            json.dump(expected(back), f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


def check(churnlab):
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in FIXTURES:
            src = os.path.join(OUT, name + ".parquet")
            want = json.load(open(os.path.join(OUT, name + ".expected.json")))
            for comp, version in [("snappy", 1), ("zstd", 1), ("gzip", 1), ("none", 1), ("snappy", 2), ("zstd", 2), ("none", 2)]:
                for dictionary in ["true", "false"]:
                    out = os.path.join(tmp, "%s-%s-%s-v%d.parquet" % (name, comp, dictionary, version))
                    code = ("local df = cl.read_parquet(%r); df:write_parquet(%r, {compression = %r, dictionary = %s, "
                            "row_group_size = 7, data_page_version = %d})" % (src, out, comp, dictionary, version))
                    r = subprocess.run([churnlab, "run", "-e", code], capture_output=True, text=True)
                    if r.returncode != 0:
                        print("FAIL", name, comp, "churnlab:", r.stderr.strip()); failed += 1; continue
                    got = expected(pq.read_table(out))
                    ok = got["names"] == want["names"] and got["rows"] == want["rows"]
                    for c in want["names"]:
                        a, b = got["columns"][c], want["columns"][c]
                        if a["type"] != b["type"] or not same(a["values"], b["values"]):
                            ok = False
                            print("  column", c, "differs:", a["values"][:5], "vs", b["values"][:5])
                    bad = statistics_errors(out)
                    for b in bad[:5]:
                        print("  statistics:", b)
                    ok = ok and not bad
                    print("ok  " if ok else "FAIL", name, "written by churnlab with", comp, "dictionary =", dictionary,
                          "data page v%d," % version, "read back by pyarrow", pa.__version__, "(values and statistics)")
                    failed += 0 if ok else 1
    print("%d failed" % failed)
    return failed


def statistics_errors(path):
    """Every column chunk's statistics (pq.ParquetFile(f).metadata.row_group(i).column(j).statistics)
    against the chunk's own values as pyarrow reads them: null_count, and min/max over the
    non-null, non-NaN values (none when there are none)."""
    f = pq.ParquetFile(path)
    md = f.metadata
    errors = []
    for i in range(md.num_row_groups):
        t = f.read_row_group(i)
        for j in range(md.num_columns):
            st = md.row_group(i).column(j).statistics
            name = md.schema.column(j).name
            if st is None:
                errors.append("row group %d column %s has no statistics" % (i, name)); continue
            values = t.column(j).to_pylist()
            nulls = sum(v is None for v in values)
            if st.null_count != nulls:
                errors.append("row group %d column %s null_count %d, want %d" % (i, name, st.null_count, nulls))
            present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
            if not present:
                if st.has_min_max:
                    errors.append("row group %d column %s has min/max but no values" % (i, name))
                continue
            if not st.has_min_max:
                errors.append("row group %d column %s lacks min/max" % (i, name)); continue
            key = (lambda v: v.encode()) if isinstance(present[0], str) else (lambda v: v)
            lo, hi = min(present, key=key), max(present, key=key)
            if st.min != lo or st.max != hi:
                errors.append("row group %d column %s min/max %r/%r, want %r/%r" % (i, name, st.min, st.max, lo, hi))
    return errors


def same(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, str) and isinstance(y, str) and x.startswith(("0x", "-0x")) and y.startswith(("0x", "-0x")):
            x, y = float.fromhex(x), float.fromhex(y)
        if isinstance(x, float) and isinstance(y, float):
            if not (x == y or abs(x - y) <= 1e-7 * max(1.0, abs(y))):   # float32 columns widen to float64
                return False
        elif x != y:
            return False
    return True


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(1 if check(sys.argv[2]) else 0)
    write_fixtures()
