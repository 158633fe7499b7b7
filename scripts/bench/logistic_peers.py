"""scikit-learn peer for scripts/bench/logistic_bench.sh: same data (written by the
Swift bench as raw float64), same model (L2, C=1, intercept), lbfgs at several tols."""
import sys, time, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

warnings.filterwarnings("ignore")
d, p = sys.argv[1], 40
Xtr = np.fromfile(f"{d}/train_X.f64").reshape(-1, p); ytr = np.fromfile(f"{d}/train_y.f64")
Xte = np.fromfile(f"{d}/test_X.f64").reshape(-1, p); yte = np.fromfile(f"{d}/test_y.f64")
# sklearn's default tol (1e-4) for lbfgs; also lbfgs after StandardScaler (the
# scaler's time included: same model, equivalent penalty only when scaled — shown
# because ChurnLab's optimiser works on scaled columns internally), and the exact
# newton-cholesky solver. FULL=1 adds lbfgs at tighter tolerances (slow).
import os
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
CONFIGS = [("lbfgs", 1e-4), ("lbfgs+scaler", 1e-4), ("newton-cholesky", 1e-8)]
if os.environ.get("FULL"):
    CONFIGS += [("lbfgs", 1e-6), ("lbfgs", 1e-8)]
for solver, tol in CONFIGS:
    if solver == "lbfgs+scaler":
        m = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, solver="lbfgs", tol=tol, max_iter=10000))
    else:
        m = LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=10000)
    t = time.perf_counter(); m.fit(Xtr, ytr); secs = time.perf_counter() - t
    t = time.perf_counter(); pte = m.predict_proba(Xte)[:, 1]; psecs = time.perf_counter() - t
    iters = int((m[-1] if solver == "lbfgs+scaler" else m).n_iter_[0])
    print(f"RESULT sklearn  {solver[:12]:12s} tol={tol:.0e}  fit {secs:7.3f}s  iters {iters:4d}  "
          f"train_logloss {log_loss(ytr, m.predict_proba(Xtr)[:, 1]):.10f}  test_logloss {log_loss(yte, pte):.10f}  predict {psecs:.3f}s")
