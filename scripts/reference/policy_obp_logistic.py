"""Reference values for Tests/lua/policy_test.lua's logistic reward model: Open Bandit Pipeline
0.5.7's RegressionModel with scikit-learn's LogisticRegression (C = 1) on context ⊕ action one-hot,
DM / DR on a 24-row, 3-action log built by the same formulas as the Lua test, without cross-fitting
(n_folds = 1) — then the q̂ of rows 1 and 2 and the DM / DR values.
Run: ../../.venv-ref/bin/python policy_obp_logistic.py (from scripts/reference)."""
import numpy as np
from obp_import import DirectMethod, DoublyRobust, RegressionModel
from sklearn.linear_model import LogisticRegression

n, K = 24, 3
i = np.arange(1, n + 1)
x1 = ((i * 7) % 11) / 10
x2 = ((i * 5) % 7) / 3 - 1
action = i % 3
pscore = np.array([0.5, 0.3, 0.2])[action]
reward = (((i * i + action * i) % 5) < 2).astype(float)
X = np.column_stack([x1, x2])
pi = np.zeros((n, K, 1))
pi[np.arange(n), np.where(x1 < 0.5, 1, 2), 0] = 1
for name, base in [("tight", LogisticRegression(C=1.0, tol=1e-12, max_iter=100000)), ("default", LogisticRegression(C=1.0))]:
    reg = RegressionModel(n_actions=K, base_model=base)
    q = reg.fit_predict(context=X, action=action, reward=reward, n_folds=1)
    dm = DirectMethod().estimate_policy_value(action_dist=pi, estimated_rewards_by_reg_model=q)
    dr = DoublyRobust().estimate_policy_value(reward=reward, action=action, pscore=pscore, action_dist=pi,
                                              estimated_rewards_by_reg_model=q)
    print(name, "rewards", reward.astype(int).tolist())
    print(name, "q row1", q[0, :, 0].round(10).tolist(), "q row2", q[1, :, 0].round(10).tolist())
    print(name, "dm %.10f dr %.10f" % (dm, dr))
# Cross-fitting with n_folds = n (leave one out) does not depend on the shuffle, so ChurnLab's
# folds = 24 must give the same q̂ as obp's n_folds = 24.
reg = RegressionModel(n_actions=K, base_model=LogisticRegression(C=1.0, tol=1e-12, max_iter=100000))
q = reg.fit_predict(context=X, action=action, reward=reward, n_folds=n, random_state=0)
dr = DoublyRobust().estimate_policy_value(reward=reward, action=action, pscore=pscore, action_dist=pi,
                                          estimated_rewards_by_reg_model=q)
print("leave-one-out q row1", q[0, :, 0].round(10).tolist(), "dr %.10f" % dr)
