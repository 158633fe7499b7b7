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
for solver, tol in [("lbfgs", 1e-4), ("lbfgs", 1e-6), ("lbfgs", 1e-8), ("newton-cholesky", 1e-8)]:
    m = LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=10000)
    t = time.perf_counter(); m.fit(Xtr, ytr); secs = time.perf_counter() - t
    t = time.perf_counter(); pte = m.predict_proba(Xte)[:, 1]; psecs = time.perf_counter() - t
    print(f"RESULT sklearn  {solver[:7]:7s} tol={tol:.0e}  fit {secs:7.3f}s  iters {int(m.n_iter_[0]):4d}  "
          f"train_logloss {log_loss(ytr, m.predict_proba(Xtr)[:, 1]):.10f}  test_logloss {log_loss(yte, pte):.10f}  predict {psecs:.3f}s")
