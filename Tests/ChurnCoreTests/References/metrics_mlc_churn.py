"""Reference values on the real fixture Fixtures/mlc_churn.csv for MlcChurnReferenceTests.swift.
Scores are raw columns (integer service calls: heavy ties). Run with /work/pyref/bin/python."""
import os, numpy as np, pandas as pd
from sklearn import metrics as M
from scipy import stats as S
d = pd.read_csv(os.path.join(os.path.dirname(__file__), "..", "Fixtures", "mlc_churn.csv"))
y = (d.churn == "yes").astype(float).to_numpy()
calls = d.number_customer_service_calls.to_numpy(float)
day = d.total_day_minutes.to_numpy(float)
w = d.account_length.to_numpy(float)
r = lambda v: repr(float(v))
print("n", len(y), "positives", int(y.sum()))
print("auc calls", r(M.roc_auc_score(y, calls)), "auc day", r(M.roc_auc_score(y, day)), "auc day w", r(M.roc_auc_score(y, day, sample_weight=w)))
print("ap calls", r(M.average_precision_score(y, calls)), "ap day w", r(M.average_precision_score(y, day, sample_weight=w)))
print("ks day", r(S.ks_2samp(day[y == 1], day[y == 0]).statistic), "ks calls", r(S.ks_2samp(calls[y == 1], calls[y == 0]).statistic))
print("roc points calls", len(M.roc_curve(y, calls)[0]), "day", len(M.roc_curve(y, day)[0]))
res = S.mannwhitneyu(day[y == 1], day[y == 0], method="asymptotic"); print("mwu day", r(res.statistic), r(res.pvalue))
res = S.mannwhitneyu(calls[y == 1], calls[y == 0], method="asymptotic"); print("mwu calls", r(res.statistic), r(res.pvalue))
res = S.ttest_ind(day[y == 1], day[y == 0], equal_var=False); print("welch day", r(res.statistic), r(res.df), r(res.pvalue))
tab = pd.crosstab(d.international_plan, d.churn).to_numpy(); print("table", tab.tolist())
res = S.chi2_contingency(tab); print("chi2 intl", r(res.statistic), r(res.pvalue))
tab2 = pd.crosstab(d.state, d.churn).to_numpy()
res = S.chi2_contingency(tab2); print("chi2 state", r(res.statistic), r(res.pvalue), res.dof)
