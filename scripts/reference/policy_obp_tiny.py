"""Reference values for Tests/lua/policy_test.lua's hand-computed log, from Open
Bandit Pipeline 0.5.7's estimators (run: ../../.venv-ref/bin/python policy_obp_tiny.py)."""
import numpy as np
from obp_import import (DirectMethod, DoublyRobust, InverseProbabilityWeighting,
                        SelfNormalizedInverseProbabilityWeighting, SwitchDoublyRobust)

# actions a = 0, b = 1; target: x < 0.5 -> b, else a
x = np.array([0, 0, 1, 1])
action = np.array([0, 1, 0, 1])
pscore = np.array([0.5, 0.5, 0.8, 0.2])
reward = np.array([1.0, 0.0, 1.0, 1.0])
q = np.array([[0.6, 0.3], [0.6, 0.3], [0.8, 0.1], [0.8, 0.1]])[:, :, None]
pi = np.zeros((4, 2, 1))
pi[np.arange(4), np.where(x < 0.5, 1, 0), 0] = 1
kw = dict(reward=reward, action=action, pscore=pscore, action_dist=pi)
print("ips", InverseProbabilityWeighting().estimate_policy_value(**kw))
print("snips", SelfNormalizedInverseProbabilityWeighting().estimate_policy_value(**kw))
print("dm", DirectMethod().estimate_policy_value(action_dist=pi, estimated_rewards_by_reg_model=q))
print("dr", DoublyRobust().estimate_policy_value(**kw, estimated_rewards_by_reg_model=q))
print("switch_dr(1.5)", SwitchDoublyRobust(lambda_=1.5).estimate_policy_value(**kw, estimated_rewards_by_reg_model=q))
print("switch_dr(0)", SwitchDoublyRobust(lambda_=0.0).estimate_policy_value(**kw, estimated_rewards_by_reg_model=q))
