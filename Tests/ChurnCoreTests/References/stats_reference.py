"""Reference values for Tests/ChurnCoreTests/Stats/*.swift (SciPy / statsmodels).
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/stats_reference.py"""
import numpy as np, scipy
from scipy import stats as S
from scipy.stats import norm
r = lambda v: repr(float(v))
print("scipy", scipy.__version__)
# Distributions.
for x in (-8.5, -1.96, 0.3, 2.5, 7.0): print("norm.cdf", x, r(norm.cdf(x)), "sf", r(norm.sf(x)))
for q in (1e-10, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999999): print("norm.ppf", q, r(norm.ppf(q)))
for t, df in ((-2.1, 3), (0.7, 1), (1.5, 12.7), (3.2, 200), (-0.2, 0.5)): print("t.cdf", t, df, r(S.t.cdf(t, df)))
for q, df in ((0.975, 1), (0.975, 4.5), (0.05, 30), (0.999, 2), (0.6, 1000)): print("t.ppf", q, df, r(S.t.ppf(q, df)))
for x, df in ((0.5, 1), (3.84, 1), (10, 4), (25, 9), (100, 60), (0.01, 3)): print("chi2.cdf", x, df, r(S.chi2.cdf(x, df)), "sf", r(S.chi2.sf(x, df)))
for q, df in ((0.95, 1), (0.95, 4), (0.5, 9), (0.999, 60)): print("chi2.ppf", q, df, r(S.chi2.ppf(q, df)))
# Two proportions: 120 of 1000 churned in control vs 90 of 1000 in treatment.
from statsmodels.stats.proportion import proportions_ztest, confint_proportions_2indep
z, p = proportions_ztest([120, 90], [1000, 1000]); print("prop z", r(z), "p", r(p))
z, p = proportions_ztest([120, 90], [1000, 1000], alternative="larger"); print("prop z larger p", r(p))
print("prop wald ci", [r(v) for v in confint_proportions_2indep(120, 1000, 90, 1000, method="wald", compare="diff")])
print("cohen h", r(2*np.arcsin(np.sqrt(0.12)) - 2*np.arcsin(np.sqrt(0.09))))
# Chi-square.
t22 = [[120, 880], [90, 910]]
res = S.chi2_contingency(t22); print("chi2 2x2 yates", r(res.statistic), r(res.pvalue), res.dof)
res = S.chi2_contingency(t22, correction=False); print("chi2 2x2 raw", r(res.statistic), r(res.pvalue))
t23 = [[30, 14, 6], [22, 25, 13], [5, 9, 21]]
res = S.chi2_contingency(t23); print("chi2 3x3", r(res.statistic), r(res.pvalue), res.dof, "V", r(S.contingency.association(t23, method="cramer")))
print("V 2x2", r(S.contingency.association(t22, method="cramer")))
# Welch.
x = [12.1, 14.3, 9.8, 11.0, 15.2, 13.3, 10.9, 12.8, 14.0]
y = [10.2, 9.1, 11.5, 8.8, 10.0, 12.2, 9.5, 9.9, 7.4, 10.8, 9.0, 11.1]
res = S.ttest_ind(x, y, equal_var=False); ci = res.confidence_interval(0.95)
print("welch t", r(res.statistic), "df", r(res.df), "p", r(res.pvalue), "ci", r(ci.low), r(ci.high))
print("welch greater p", r(S.ttest_ind(x, y, equal_var=False, alternative="greater").pvalue))
nx, ny = len(x), len(y); sp = np.sqrt(((nx-1)*np.var(x, ddof=1) + (ny-1)*np.var(y, ddof=1))/(nx+ny-2))
print("cohen d", r((np.mean(x)-np.mean(y))/sp))
# Mann-Whitney with ties.
a = [3, 5, 5, 7, 8, 8, 8, 10, 12, 13, 15]
b = [1, 2, 3, 3, 5, 6, 7, 7, 8, 9]
for alt in ("two-sided", "greater", "less"):
    res = S.mannwhitneyu(a, b, alternative=alt, method="asymptotic"); print("mwu", alt, r(res.statistic), r(res.pvalue))
# Power / sample size (two-sided, Fleiss without continuity correction), baseline churn 20%, MDE -3 points.
def n_needed(p1, p2, alpha=0.05, power=0.8, k=1.0):
    pbar = (p1 + k*p2)/(1+k)
    a = norm.ppf(1-alpha/2)*np.sqrt(pbar*(1-pbar)*(1+1/k)); b = norm.ppf(power)*np.sqrt(p1*(1-p1) + p2*(1-p2)/k)
    return ((a+b)/(p1-p2))**2
def power_of(p1, p2, n, alpha=0.05, k=1.0):
    pbar = (p1 + k*p2)/(1+k)
    return norm.cdf((abs(p1-p2)*np.sqrt(n) - norm.ppf(1-alpha/2)*np.sqrt(pbar*(1-pbar)*(1+1/k)))/np.sqrt(p1*(1-p1)+p2*(1-p2)/k))
print("n 0.20->0.17", r(n_needed(0.2, 0.17)), "ratio2", r(n_needed(0.2, 0.17, k=2)), "power90", r(n_needed(0.2, 0.17, power=0.9)))
print("power n=2000", r(power_of(0.2, 0.17, 2000)))
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
print("statsmodels (arcsine h) n", r(NormalIndPower().solve_power(proportion_effectsize(0.2, 0.17), alpha=0.05, power=0.8)))
# Noncentral chi-square and the Cramér's V interval (Smithson 2003: invert the ncx2 cdf in λ, V = sqrt(λ / (n (k-1)))).
from scipy.optimize import brentq
for x, df, lam in ((5.0, 1, 2.0), (30.0, 4, 12.5), (333.0, 1, 300.0), (0.5, 3, 0.7)):
    print("ncx2.cdf", x, df, lam, r(S.ncx2.cdf(x, df, lam)))
def v_ci(table, level=0.95):
    res = S.chi2_contingency(table, correction=False); x, df = res.statistic, res.dof
    n = np.sum(table); k = min(np.shape(table))
    def lam(target):
        if S.chi2.cdf(x, df) <= target: return 0.0
        return brentq(lambda l: S.ncx2.cdf(x, df, l) - target, 1e-9, 10 * x + 100, xtol=1e-12)
    a = 1 - level
    return np.sqrt(lam(1 - a/2) / (n * (k - 1))), np.sqrt(lam(a/2) / (n * (k - 1)))
print("V ci 3x3", [r(v) for v in v_ci(t23)], "V ci 2x2", [r(v) for v in v_ci(t22)])
print("V ci weak", [r(v) for v in v_ci([[20, 22], [19, 21]])])
# Exact Mann-Whitney (SciPy's default for n <= 8 without ties).
ea, eb = [1.1, 2.4, 3.9, 5.0, 6.2, 7.7], [0.3, 0.9, 1.5, 2.0, 3.1]
for alt in ("two-sided", "greater", "less"):
    print("mwu exact", alt, r(S.mannwhitneyu(ea, eb, alternative=alt).pvalue))
print("mwu exact 8x8", r(S.mannwhitneyu([1,3,5,7,9,11,13,15], [2,4,6,8,10,12,14,16.5]).pvalue))
# Large degrees of freedom.
for df in (1e5, 1e7): print("t big df", df, r(S.t.cdf(2.0, df)), r(S.t.ppf(0.975, df)), r(S.t.sf(12, df)))
print("chi2 big df", r(S.chi2.sf(2000, 1500)), r(S.chi2.ppf(0.975, 5000)))
