#!/usr/bin/env bash
# GBDT on aggregates vs GRU on sequences vs GRU + static on the simulator's
# temporal churn drivers (release build; see sequence_auc.lua for the design).
# Earlier runs (drivers v1–v3) first; the current figures are the last block.
# Measured 2026-12-03 06:26–06:42 UTC (release, 2 threads, load average 16–20 from
# parallel builds; hidden 32, head 32, 90 days × 8 channels, Adam 3e-3, early stopping 3):
#   8,000 users, 6 epochs:  gbdt 0.8803 | gru on sequences 0.8649 | gru + static 0.8781 (ΔAUC −0.0022, DeLong p 0.22)
#  12,000 users, 8 epochs:  gbdt 0.8811 | gru on sequences 0.8796 | gru + static 0.8795 (ΔAUC −0.0016, DeLong p 0.22)
#   The GRU on the raw sequences alone comes within 0.002 of GBDT on 54 aggregates and was
#   still improving at the last epoch (eval AUC 0.8730 at epoch 8), but the issue's target
#   (GRU or GRU + static ≥ GBDT + 0.01) is NOT met on this simulator yet.
# 2026-12-03 09:10–09:27 UTC, after the temporal drivers were strengthened (an established
# weekly rhythm that breaks: +2.5 for 21 days; +2.0 for 28 days after a gap; 60 % habit users)
# and the sequence kinds gained schedule = "cosine": a small check in a DEBUG build (the
# release build could not finish under load average 22–24), held-out users (group split),
# 2,000 users × 240 days, snapshots every 14 days, GRU hidden 16 on 56 days + aggregates,
# 8 epochs, lr 5e-3 cosine: gbdt 0.8832 | gru + aggregates 0.8802 (eval AUC flat from epoch 5).
# Churn rate rose to 0.46 with the stronger drivers. At this size the GRU still does not beat
# GBDT; the full-size release run of this script with the new drivers is still to be done.
# 2026-12-03 13:00 UTC: drivers v3 (see TemporalHabits: a routine whose attendance does not
# follow engagement, a break after 4 weeks +3.0 for 28 days, a 14-day gap, half the frailty).
# scripts/bench/sequence_signal_check.sh on 10,000 users: GBDT 0.9040 on the aggregates,
# 0.9061 with two hand-made flags read off the daily logins. The release run of this script
# on 20,000 users with v3 is still owed (the release build could not finish under load 15–21).
# 2026-12-04 08:27 UTC: drivers v4 (TemporalHabits: a lost daily streak — 3+ active days, then a
# day without — raises the hazard +5 for 14 days; 30 % habit users; trend weight 0.5). Release,
# 2 threads, load average 3.4–5.8 (a debug build running), 20,000 users, held-out users,
# 19,805 train / 3,401 validation / 7,671 test rows, churn rate 0.384; GRU hidden 32 on 28 days
# × 8 channels, head 32, 12 epochs, Adam 3e-3 cosine, early stopping 4:
#   gbdt 0.8896 | gru on sequences 0.8851–0.8860 | gru + static 0.9022–0.9031
#   gru + static vs gbdt: ΔAUC +0.0127 … +0.0135 (95 % CI about ±0.0037), DeLong p ≤ 2.5e-11
#   gru on sequences vs gbdt: ΔAUC −0.0045 … −0.0036 (p 0.04–0.10)
# The issue's target (GRU or GRU + static ≥ GBDT + 0.01) is met by the GRU + static. Training
# takes 3–5 s per GRU here. The ranges are four runs: with 2 threads the GRU's result is NOT
# bit-identical from run to run (1 thread: 0.9031 twice) — a trainer matter, reported to the lead.
# Recipe checks on the same data (one run each): hidden 32 on 56 days 0.9026; hidden 64, 20
# epochs on 28 days 0.9025 — the gap does not hinge on the recipe. Driver variants: see TemporalHabits.
# 2026-12-04 09:49 UTC, merged main (BLAS calls serialised, see Util/BLAS.swift), release, 2 threads, load 0.8-1.3,
#   three runs, all bit-identical: gbdt 0.8896 | gru on sequences 0.8858 | gru + static 0.9031;
#   gru + static vs gbdt ΔAUC +0.0135 (95 % CI +0.0098 … +0.0172), DeLong p 7.87e-13 — the run-to-run spread above
#   was the OpenBLAS race.
# 2026-12-04 16:18 UTC, merged main after nn11 (own lock-free sgemm, weights packed once per pass), release, 2 threads,
#   load 0.5: gbdt 0.8896 | gru on sequences 0.8858 | gru + static 0.9031; ΔAUC +0.0135 (95 % CI +0.0098 … +0.0172),
#   DeLong p 7.88e-13 — the same figures as on OpenBLAS (the kernels changed the speed, not the result to 4 digits).
# Usage: scripts/bench/sequence_auc.sh [users = 20000] [epochs = 12] [hidden = 32] [days = 28]
#        [learning_rate = 3e-3] [static: skip the GRU on sequences alone]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product churnlab 2>&1 | grep -E "error|Build complete" || true
echo "load: $(uptime)"
CHURNLAB_THREADS="${THREADS:-2}" .build/release/churnlab run scripts/bench/sequence_auc.lua "$@" | grep RESULT | sed 's/^RESULT //'
