#!/usr/bin/env python3
"""Summary table of scripts/bench/all: reads the logs of the side-by-side
benchmarks (one file per job in LOG_DIR) and prints one row per comparison of
issue 19's table: ChurnLab, the best peer, the ratio and the goal. Standard
library only (runs with the system python3).

Usage: all_table.py LOG_DIR
"""
import json, os, re, sys

log = sys.argv[1]

def read(name):
    p = os.path.join(log, name + ".txt")
    return open(p, errors="replace").read() if os.path.exists(p) else ""

rows = []   # (job, churnlab, peer, ratio text, goal)

def add(job, ours, peer, ratio, goal):
    rows.append((job, ours, peer, ratio, goal))

def bench_json(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("BENCH {"):
            r = json.loads(line[6:])
            out[r["lib"]] = r
    return out

g = bench_json(read("gbdt"))
if "churnlab" in g and "lightgbm" in g:
    c, l = g["churnlab"], g["lightgbm"]
    add("GBDT fit (200 trees, 63 leaves)", f"{c['train_s']:.1f} s, AUC {c['auc']:.4f}", f"LightGBM {l['train_s']:.1f} s, AUC {l['auc']:.4f}",
        f"{c['train_s'] / l['train_s']:.2f}", "<= 0.8 at AUC >= LightGBM - 0.002")
    if "peak_mb" in c and "peak_mb" in l:
        add("GBDT fit peak memory", f"{c['peak_mb']:.0f} MB", f"LightGBM {l['peak_mb']:.0f} MB", f"{c['peak_mb'] / l['peak_mb']:.2f}", "<= 1.0")
elif g:
    add("GBDT", "see gbdt.txt", "-", "-", "")

lg = read("logistic")
ours = re.search(r"RESULT churnlab\s+fit\s+([\d.]+)s.*?train_logloss ([\d.]+)\s+test_auc ([\d.]+)", lg)
peers = re.findall(r"RESULT sklearn lbfgs tol=(\S+)\s+fit\s+([\d.]+)s.*?train_logloss ([\d.]+)\s+test_auc ([\d.]+)", lg)
if ours and peers:
    t, ll, auc = float(ours.group(1)), float(ours.group(2)), float(ours.group(3))
    tol, pt, pll, pauc = peers[0][0], float(peers[0][1]), float(peers[0][2]), float(peers[0][3])
    add("logistic, imputer+scaler+one-hot", f"{t:.1f} s, log-loss {ll:.6f}", f"sklearn lbfgs tol={tol} {pt:.1f} s, log-loss {pll:.6f}",
        f"{t / pt:.2f}", "<= 0.5 at equal log-loss")

f = bench_json(read("forest"))
if "churnlab" in f and "sklearn" in f:
    c, s = f["churnlab"], f["sklearn"]
    add("random forest fit (100 trees, depth 16)", f"{c['train_s']:.1f} s", f"sklearn {s['train_s']:.1f} s",
        f"{c['train_s'] / s['train_s']:.2f}", "<= 1.0")

# Scoring speed from tree_scoring.sh (best of 3 on the test rows; models fitted untimed).
sc = {(r["lib"], r["model"]): r for r in (json.loads(l[6:]) for l in read("scoring").splitlines() if l.startswith("BENCH {"))}
for model, peer, name, label, goal in (("gbdt", "lightgbm", "LightGBM", "GBDT scoring (test rows, best of 3)", ">= 3x faster"),
                                       ("forest", "sklearn", "sklearn", "random forest prediction (best of 3)", ">= 1x faster")):
    a, b = sc.get(("churnlab", model)), sc.get((peer, model))
    if a and b:
        add(label, f"{a['predict_rows_per_s']:,.0f} rows/s", f"{name} {b['predict_rows_per_s']:,.0f} rows/s",
            f"{a['predict_rows_per_s'] / b['predict_rows_per_s']:.2f}x faster", goal)

csv = read("csv")
times = {}
for m in re.finditer(r"^BENCH (\S+) read_csv (\S+) ([\d.]+) s", csv, re.M):
    times.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
for fname, goal in (("wide.csv", "<= 0.7"), ("events.csv", "<= 0.7 (issue table: 0.3)")):
    t = times.get(fname, {})
    if "churnlab" in t and len(t) > 1:
        best = min((v, k) for k, v in t.items() if k != "churnlab")
        add(f"CSV load {fname}", f"{t['churnlab']:.2f} s", f"{best[1]} {best[0]:.2f} s", f"{t['churnlab'] / best[0]:.2f}", goal)

fe = read("features")
ours = re.search(r"bench features swift: index ([\d.]+)s, features ([\d.]+)s", fe)
pol = re.search(r"bench features polars [^:]*: features ([\d.]+)s", fe)
if ours and pol:
    ix, a, b = float(ours.group(1)), float(ours.group(2)), float(pol.group(1))
    add("feature build (in memory)", f"{a:.3f} s (+ index {ix:.3f} s)", f"polars {b:.3f} s",
        f"{a / b:.2f} ({(a + ix) / b:.2f} with the index)", "<= 0.1")
ours = re.search(r"bench features swift end-to-end: csv -> features ([\d.]+)s", fe)
pol = re.search(r"bench features polars end-to-end: scan_csv -> features ([\d.]+)s", fe)
if ours and pol:
    a, b = float(ours.group(1)), float(pol.group(1))
    add("CSV -> features, end to end", f"{a:.2f} s", f"polars lazy scan_csv {b:.2f} s", f"{a / b:.2f}", "<= 0.3")

co = read("call")
c = re.search(r"^C \(lua_pushcfunction\)\s+([\d.]+)", co, re.M)
s = re.search(r"^Swift \(cl trampoline\)\s+([\d.]+)", co, re.M)
if c and s:
    add("Swift function called from Lua", f"{float(s.group(1)):.1f} ns", f"plain C function {float(c.group(1)):.1f} ns",
        f"{float(s.group(1)) / float(c.group(1)):.2f}", "<= 1.2")

head = ("job", "ChurnLab", "best peer", "ratio", "goal")
w = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
print(" | ".join(h.ljust(w[i]) for i, h in enumerate(head)))
print("-|-".join("-" * x for x in w))
for r in rows:
    print(" | ".join(str(v).ljust(w[i]) for i, v in enumerate(r)))
if not rows:
    print("(no figures parsed: see the logs in %s)" % log)
