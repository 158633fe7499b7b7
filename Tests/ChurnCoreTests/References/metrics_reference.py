"""Reference values for Tests/ChurnCoreTests/Metrics/*.swift (scikit-learn / SciPy).
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/metrics_reference.py"""
import numpy as np, sklearn, scipy
from sklearn import metrics as M
from sklearn.calibration import calibration_curve
from scipy.stats import ks_2samp

print("sklearn", sklearn.__version__, "scipy", scipy.__version__)
# Fixed input with ties (scores rounded to 0.1) and weights.
y = np.array([1,0,1,1,0,0,1,0,0,1,0,1,0,0,1,0,0,0,1,0], float)
p = np.array([0.9,0.8,0.8,0.7,0.7,0.6,0.6,0.6,0.5,0.5,0.4,0.4,0.3,0.3,0.3,0.2,0.2,0.1,0.1,0.0])
w = np.array([1,2,0.5,1,1,3,1,1,2,1,1,1,0.5,1,2,1,1,1,1,1], float)
r = lambda v: repr(float(v))
print("auc", r(M.roc_auc_score(y, p)), "auc_w", r(M.roc_auc_score(y, p, sample_weight=w)))
print("ap", r(M.average_precision_score(y, p)), "ap_w", r(M.average_precision_score(y, p, sample_weight=w)))
for d in (True, False):
    f, t, th = M.roc_curve(y, p, drop_intermediate=d)
    print("roc drop=%s" % d, len(f), list(map(float, f)), list(map(float, t)), list(map(float, th)))
f, t, th = M.roc_curve(y, p, sample_weight=w)
print("roc_w", list(map(float, f)), list(map(float, t)))
pr, rc, th = M.precision_recall_curve(y, p)
print("pr", list(map(float, pr)), list(map(float, rc)), list(map(float, th)))
pos, neg = p[y == 1], p[y == 0]
print("ks", r(ks_2samp(pos, neg).statistic))
yp = (p >= 0.5).astype(float)
for name, fn in [("acc", M.accuracy_score), ("prec", M.precision_score), ("rec", M.recall_score), ("f1", M.f1_score),
                 ("mcc", M.matthews_corrcoef)]:
    print(name, r(fn(y, yp)), r(fn(y, yp, sample_weight=w)))
print("cm", M.confusion_matrix(y, yp).ravel().tolist(), M.confusion_matrix(y, yp, sample_weight=w).ravel().tolist())
print("logloss", r(M.log_loss(y, p)), r(M.log_loss(y, p, sample_weight=w)))
print("brier", r(M.brier_score_loss(y, p)), r(M.brier_score_loss(y, p, sample_weight=w)))
for s in ("uniform", "quantile"):
    pt, pp = calibration_curve(y, p, n_bins=4, strategy=s)
    print("calib", s, list(map(float, pt)), list(map(float, pp)))
# Degenerate: one class.
y1 = np.ones(5); p1 = np.array([0.1, 0.4, 0.4, 0.8, 0.9])
try: M.roc_auc_score(y1, p1)
except ValueError as e: print("one-class auc ->", e)
print("one-class logloss labels=[0,1]", r(M.log_loss(y1, p1, labels=[0, 1])), "brier", r(M.brier_score_loss(y1, p1)))
print("zero-division precision", M.precision_score(np.array([1,0,1.]), np.zeros(3), zero_division=0), "mcc", M.matthews_corrcoef([1,0,1],[0,0,0]))
# Multiclass.
yt = [0,1,2,2,1,0,1,2,0,0,1,2,2]
ypr = [0,2,2,1,1,0,0,2,0,1,1,2,0]
wm = [1,2,1,1,0.5,1,1,2,1,1,3,1,1]
for avg in ("macro", "weighted", "micro"):
    print("multi", avg, r(M.precision_score(yt, ypr, average=avg)), r(M.recall_score(yt, ypr, average=avg)), r(M.f1_score(yt, ypr, average=avg)))
print("multi weighted-w", r(M.f1_score(yt, ypr, average="weighted", sample_weight=wm)), r(M.f1_score(yt, ypr, average="macro", sample_weight=wm)))
print("multi binary pos=2", r(M.f1_score(yt, ypr, average=None)[2]))
print("multi mcc", r(M.matthews_corrcoef(yt, ypr)), r(M.matthews_corrcoef(yt, ypr, sample_weight=wm)), "acc", r(M.accuracy_score(yt, ypr)))

# Thresholds, top-k and campaign profit: brute force over every distinct score
# (definitions in Sources/ChurnCore/Metrics/Thresholds.swift, TopK.swift, Campaign.swift).
def counts(t, ww=None):
    ww = np.ones_like(y) if ww is None else ww
    pred = p >= t
    return ww[(y == 1) & pred].sum(), ww[(y == 0) & pred].sum(), ww[y == 1].sum(), ww[y == 0].sum()
ths = sorted(set(p), reverse=True)
f1s = [(2*tp/(2*tp+fp+(P-tp)), t) for t in ths for tp, fp, P, N in [counts(t)]]
print("best f1", max(f1s, key=lambda a: (a[0], a[1])))
f1w = [(2*tp/(2*tp+fp+(P-tp)), t) for t in ths for tp, fp, P, N in [counts(t, w)]]
print("best f1 weighted", max(f1w, key=lambda a: (a[0], a[1])))
cost = [(1*fp + 5*(P-tp), t) for t in [np.inf] + ths for tp, fp, P, N in [counts(t)]]
print("min cost fp=1 fn=5", min(cost, key=lambda a: (a[0], -a[1])))
prec = [(tp/P, t) for t in ths for tp, fp, P, N in [counts(t)] if tp/(tp+fp) >= 0.6]
print("precision>=0.6 best recall", max(prec, key=lambda a: (a[0], a[1])))
rec = [(tp/(tp+fp), t) for t in ths for tp, fp, P, N in [counts(t)] if tp/P >= 0.8]
print("recall>=0.8 best precision", max(rec, key=lambda a: (a[0], a[1])))
V, d, f, g = 100.0, 10.0, 1.0, 0.4
prof = [(0.0, 0.0, np.inf)] + [((tp+fp)/len(y), tp*g*(V-d) - fp*d - (tp+fp)*f, t) for t in ths for tp, fp, P, N in [counts(t)]]
print("profit curve", [round(a[1], 10) for a in prof])
print("profit best", max(prof, key=lambda a: (a[1], -a[0])))
