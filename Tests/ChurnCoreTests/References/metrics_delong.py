"""DeLong reference (brute-force O(P·N) structural components, DeLong et al. 1988) and
scikit-learn values on a formula-generated data set that Swift regenerates exactly.
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/metrics_delong.py"""
import numpy as np
from scipy.stats import norm
from sklearn import metrics as M

n = 600
i = np.arange(n)
# Deterministic data (same formulas in MetricsReferenceTests.swift): heavy ties in s1, fewer in s2.
y = (((i * 37 + 11) % 100) < 30 + (i % 7) * 5).astype(float)
s1 = np.round(((i * 7919) % 1000) / 1000 * 0.5 + y * 0.25, 2)
s2 = np.round(((i * 104729) % 997) / 997 * 0.6 + y * 0.2 + (i % 3) * 0.01, 3)
w = 1 + (i % 4) * 0.5

def components(s):
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)
v10a, v01a = components(s1); v10b, v01b = components(s2)
P, N = len(v10a), len(v01a)
S10 = np.cov(np.vstack([v10a, v10b])); S01 = np.cov(np.vstack([v01a, v01b]))
auc1, auc2 = v10a.mean(), v10b.mean()
var = (S10[0,0] + S10[1,1] - 2*S10[0,1]) / P + (S01[0,0] + S01[1,1] - 2*S01[0,1]) / N
se = np.sqrt(var); z = (auc1 - auc2) / se
r = lambda v: repr(float(v))
print("P N", P, N)
print("auc1", r(auc1), "sklearn", r(M.roc_auc_score(y, s1)), "auc2", r(auc2))
print("delong se", r(se), "z", r(z), "p", r(2 * norm.sf(abs(z))))
se1 = np.sqrt(S10[0,0] / P + S01[0,0] / N)
print("auc1 se", r(se1), "ci95", r(auc1 - norm.ppf(0.975) * se1), r(auc1 + norm.ppf(0.975) * se1))
print("auc_w", r(M.roc_auc_score(y, s1, sample_weight=w)), "ap", r(M.average_precision_score(y, s1)),
      "ap_w", r(M.average_precision_score(y, s2, sample_weight=w)))
print("roc points drop", len(M.roc_curve(y, s1)[0]), "nodrop", len(M.roc_curve(y, s1, drop_intermediate=False)[0]))
pr = np.clip(s2, 0, 1)
print("logloss_w", r(M.log_loss(y, pr, sample_weight=w)), "brier_w", r(M.brier_score_loss(y, pr, sample_weight=w)))
pr_d = M.precision_recall_curve(y, s1, drop_intermediate=True)
print("pr drop points", len(pr_d[0]), "all", len(M.precision_recall_curve(y, s1)[0]), "p[5]", r(pr_d[0][5]), "r[5]", r(pr_d[1][5]), "t[5]", r(pr_d[2][5]))
