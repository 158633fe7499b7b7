# Reference numbers for RuleEffectTests (two-proportion z-test + Wald CI) and the holdout hash.
import hmac, hashlib
from statsmodels.stats.proportion import proportions_ztest, confint_proportions_2indep
z, p = proportions_ztest([70, 20], [100, 40])
lo, hi = confint_proportions_2indep(70, 100, 20, 40, method="wald", compare="diff")
print("z", z, "p", p, "lo", lo, "hi", hi)
d = hmac.new(b"k", b"exp\x1fu1", hashlib.sha256).digest()
u = (int.from_bytes(d[:8], "big") >> 11) * 2.0**-53
print("holdout u(k, exp, u1)", repr(u))
print("pseudonym(k, u1)", hmac.new(b"k", b"u1", hashlib.sha256).hexdigest())
