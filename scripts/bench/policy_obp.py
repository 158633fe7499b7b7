"""Open Bandit Pipeline 0.5.7 on the logs scripts/bench/policy_bench.lua wrote: IPS / SNIPS / DR
relative RMSE over the seeds against the simulator's exact truth, and DR's time (RegressionModel
fit_predict + estimate). The reward model is obp's RegressionModel with scikit-learn Ridge(alpha=1)
on the same design (engagement, tenure, price_sensitivity, persona one-hot, recent_contacts);
obp fits one model on context ⊕ action one-hot, ChurnLab one ridge per action.
Then the binary-reward logs (reward = retained): RegressionModel with scikit-learn's LogisticRegression()
(C = 1) cross-fitted with n_folds = 3 — the issue's anchor setup — against ChurnLab's model = "logistic",
folds = 3; seed 1 also without cross-fitting (n_folds = 1), where both fit the same model on the same rows.
Usage: policy_obp.py PREFIX SEEDS"""
import glob
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/scripts/reference")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from obp_import import (DoublyRobust, InverseProbabilityWeighting, RegressionModel,  # noqa: E402
                        SelfNormalizedInverseProbabilityWeighting)

prefix, seeds = sys.argv[1], int(sys.argv[2])
names = ["none", "push", "email", "coupon"]


def load_log(prefix, kind, seed):
    """One seed's logged decisions as obp takes them (kind "" or "bin_"): truth, design, actions,
    rewards, propensities, the target's action distribution and the estimators' keyword arguments."""
    df = pd.read_csv(f"{prefix}_{kind}log_{seed:02d}.csv")
    truth = float(pd.read_csv(f"{prefix}_{kind}truth_{seed:02d}.csv")["truth"][0])
    persona = pd.get_dummies(df["persona"], drop_first=True).astype(float)
    X = np.column_stack([df[["engagement", "tenure", "price_sensitivity"]].to_numpy(), persona.to_numpy(),
                         df["recent_contacts"].to_numpy()])
    a = df["action"].map({n: i for i, n in enumerate(names)}).to_numpy()
    r = df["reward"].to_numpy(float)
    p = df["propensity"].to_numpy(float)
    pi = df[[f"pi_{n}" for n in names]].to_numpy(float)[:, :, None]
    kw = dict(reward=r, action=a, pscore=p, action_dist=pi)
    return truth, X, a, r, p, pi, kw

sq = {"ips": 0.0, "snips": 0.0, "dr": 0.0, "dr_per_action": 0.0}
fit_time = 0.0
for seed in range(1, seeds + 1):
    truth, X, a, r, p, pi, kw = load_log(prefix, "", seed)
    v = {"ips": InverseProbabilityWeighting().estimate_policy_value(**kw),
         "snips": SelfNormalizedInverseProbabilityWeighting().estimate_policy_value(**kw)}
    t0 = time.perf_counter()
    reg = RegressionModel(n_actions=len(names), base_model=Ridge(alpha=1.0))
    q = reg.fit_predict(context=X, action=a, reward=r, random_state=seed)
    v["dr"] = DoublyRobust().estimate_policy_value(**kw, estimated_rewards_by_reg_model=q)
    fit_time += time.perf_counter() - t0
    # the same per-action ridge ChurnLab fits (intercept unpenalised there too? no: ChurnLab penalises it; close enough)
    qa = np.zeros((len(r), len(names), 1))
    for k in range(len(names)):
        m = Ridge(alpha=1.0).fit(X[a == k], r[a == k])
        qa[:, k, 0] = m.predict(X)
    v["dr_per_action"] = DoublyRobust().estimate_policy_value(**kw, estimated_rewards_by_reg_model=qa)
    if seed == 1:
        print("RESULT seed 1 truth %.6f, ips %.6f, snips %.6f, dr %.6f (per-action ridge %.6f)"
              % (truth, v["ips"], v["snips"], v["dr"], v["dr_per_action"]))
    for k in sq:
        sq[k] += ((v[k] - truth) / truth) ** 2
print("RESULT obp OPE relative RMSE over %d seeds: IPS %.2f %%, SNIPS %.2f %%, DR %.2f %% (DR with per-action ridge %.2f %%); "
      "DR (RegressionModel fit_predict + estimate) %.3f s per run"
      % (seeds, *(100 * np.sqrt(sq[k] / seeds) for k in ["ips", "snips", "dr", "dr_per_action"]), fit_time / seeds))

sqb = {"ips": 0.0, "dr": 0.0}
fit_b = 0.0
for seed in range(1, seeds + 1):
    truth, X, a, r, p, pi, kw = load_log(prefix, "bin_", seed)
    ips = InverseProbabilityWeighting().estimate_policy_value(**kw)
    t0 = time.perf_counter()
    reg = RegressionModel(n_actions=len(names), base_model=LogisticRegression(C=1.0))
    q = reg.fit_predict(context=X, action=a, reward=r, n_folds=3, random_state=seed)
    dr = DoublyRobust().estimate_policy_value(**kw, estimated_rewards_by_reg_model=q)
    fit_b += time.perf_counter() - t0
    if seed == 1:
        q1 = RegressionModel(n_actions=len(names), base_model=LogisticRegression(C=1.0)).fit_predict(
            context=X, action=a, reward=r, n_folds=1)
        print("RESULT binary seed 1 truth %.6f, dr logistic without cross-fitting %.6f, with 3 folds %.6f"
              % (truth, DoublyRobust().estimate_policy_value(**kw, estimated_rewards_by_reg_model=q1), dr))
        # The same fit run to convergence (scikit-learn's default stops at tol 1e-4): the digits ChurnLab's Newton fit gives.
        qt = RegressionModel(n_actions=len(names), base_model=LogisticRegression(C=1.0, tol=1e-10, max_iter=100000)).fit_predict(
            context=X, action=a, reward=r, n_folds=1)
        print("RESULT binary seed 1 dr logistic without cross-fitting, converged (tol 1e-10): %.6f"
              % DoublyRobust().estimate_policy_value(**kw, estimated_rewards_by_reg_model=qt))
    sqb["ips"] += ((ips - truth) / truth) ** 2
    sqb["dr"] += ((dr - truth) / truth) ** 2
print("RESULT binary reward, obp OPE relative RMSE over %d seeds: IPS %.2f %%, DR logistic %.3f %%; "
      "DR (RegressionModel(LogisticRegression) fit_predict, 3 folds, + estimate) %.3f s per run"
      % (seeds, 100 * np.sqrt(sqb["ips"] / seeds), 100 * np.sqrt(sqb["dr"] / seeds), fit_b / seeds))
