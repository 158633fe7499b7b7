"""Reference CART trees for TreesCARTTests (scikit-learn).

Tiny dataset: 60 rows, 3 numeric features with float32-exact values (so
scikit-learn's float32 cast changes nothing), a seeded 0/1 target; the first
numpy seed whose trees have no ties is used. We fit
DecisionTreeClassifier with several settings and print the tree arrays
(pre-order node numbering, like ChurnLab's CART). Each tree is checked to be the
same for 30 random_state values, i.e. free of feature ties.
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/trees_cart_reference.py
"""
import numpy as np
from sklearn.tree import DecisionTreeClassifier

def data(seed, n=60):
    rng = np.random.default_rng(seed)
    x0 = rng.integers(0, 40, n) / 4.0          # quarters
    x1 = rng.integers(-20, 20, n) / 2.0        # halves
    x2 = rng.integers(0, 1000, n).astype(float)
    logit = 0.25 * (x0 - 5) - 0.15 * x1 + 0.002 * (x2 - 500)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return np.column_stack([x0, x1, x2]), y

w = (1 + (np.arange(60) % 3)).astype(float)   # weights 1,2,3,1,2,3,...
CONFIGS = [("gini_depth4", dict(criterion="gini", max_depth=4, min_samples_leaf=2)),
           ("entropy_depth4", dict(criterion="entropy", max_depth=4, min_samples_leaf=2)),
           ("gini_leaf3_weighted", dict(criterion="gini", min_samples_leaf=3, max_depth=5, sample_weight=w))]

def tie_free(X, y, kw):
    kw = dict(kw); sw = kw.pop("sample_weight", None)
    trees = [DecisionTreeClassifier(random_state=s, **kw).fit(X, y, sample_weight=sw).tree_ for s in range(30)]
    return all(np.array_equal(o.feature, trees[0].feature) and np.array_equal(o.threshold, trees[0].threshold) for o in trees)

seed = next(s for s in range(100) if all(tie_free(*data(s), kw) for _, kw in CONFIGS))
X, y = data(seed)
print("seed =", seed)
for j in range(3): print(f"x{j} =", [float(v) for v in X[:, j]])
print("y =", [int(v) for v in y])

def dump(name, **kw):
    sw = kw.pop("sample_weight", None)
    trees = [DecisionTreeClassifier(random_state=s, **kw).fit(X, y, sample_weight=sw) for s in range(30)]
    t = trees[0].tree_
    for o in trees[1:]:
        assert np.array_equal(o.tree_.feature, t.feature) and np.array_equal(o.tree_.threshold, t.threshold), name + ": ties"
    leaf = t.children_left < 0
    feat = np.where(leaf, -1, t.feature)
    thr = np.where(leaf, 0.0, t.threshold)
    p1 = t.value[:, 0, 1] / t.value[:, 0, :].sum(axis=1)
    print(f"--- {name}")
    print("feature   =", list(map(int, feat)))
    print("threshold =", [float(v) for v in thr])
    print("left      =", list(map(int, t.children_left)))
    print("right     =", list(map(int, t.children_right)))
    print("p1        =", [repr(float(v)) for v in p1])
    print("cover     =", [float(v) for v in t.weighted_n_node_samples])
    print("importance=", [repr(float(v)) for v in trees[0].feature_importances_])

for name, kw in CONFIGS:
    dump(name, **kw)
