"""Reference values for Tests/ChurnCoreTests/Cluster/ClusterTests.swift and
Tests/lua/cluster_test.lua: scikit-learn KMeans (given initial centres),
silhouette_score, PCA, and ndcg_score for the recommendation metrics.

Data are exact integer formulas (no RNG, no transcendental functions), so the
Swift tests build the same matrix bit for bit:
    u(i, j) = ((i * 2654435761 + j * 40503) % 10007) / 10007
    x[i][j] = 2 * u(i, j) + (4 if i % 3 == j % 3 else 0) + 0.5 * j

Run: python3 -m venv .venv-ref && .venv-ref/bin/pip install scikit-learn
     .venv-ref/bin/python scripts/reference/cluster_reference.py
"""
import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score, ndcg_score


def data(n, d):
    x = np.zeros((n, d))
    for i in range(n):
        for j in range(d):
            u = ((i * 2654435761 + j * 40503) % 10007) / 10007
            x[i, j] = 2 * u + (4 if i % 3 == j % 3 else 0) + 0.5 * j
    return x


print("sklearn", sklearn.__version__, "numpy", np.__version__)
X = data(300, 4)
for k in (3, 5):
    init = X[:k].copy()
    for algo in ("lloyd",):
        km = KMeans(n_clusters=k, init=init, n_init=1, algorithm=algo, tol=1e-4, max_iter=300).fit(X)
        print(f"kmeans k={k} {algo}: inertia={km.inertia_!r} n_iter={km.n_iter_}")
        print("  centers", [c for c in km.cluster_centers_.tolist()])
        print("  labels[:10]", km.labels_[:10].tolist())
        lab = km.labels_
        print(f"  silhouette={silhouette_score(X, lab)!r}")

# Silhouette with a singleton cluster.
lab = np.array([i % 3 for i in range(300)])
lab[0] = 3
print("silhouette mod3+singleton", repr(silhouette_score(X, lab)))

pca = PCA(n_components=2, svd_solver="full").fit(X)
print("pca explained_variance", pca.explained_variance_.tolist())
print("pca explained_variance_ratio", pca.explained_variance_ratio_.tolist())
print("pca components", [c for c in pca.components_.tolist()])
print("pca scores row1", pca.transform(X)[0].tolist(), "row300", pca.transform(X)[299].tolist())

# Recommendation metrics: NDCG@k via scikit-learn's ndcg_score on the item
# universe (binary relevance, untied scores that rank the list first).
items = [f"c{i}" for i in range(10)]
recs = [["c1", "c2", "c3", "c4", "c5"], ["c9", "c8", "c7", "c6", "c5"], ["c0", "c3", "c6", "c1", "c2"]]
rels = [["c2", "c5", "c7"], ["c1"], ["c0", "c6"]]
for k in (3, 5):
    vals = []
    for r, rel in zip(recs, rels):
        y = np.array([[1.0 if it in rel else 0.0 for it in items]])
        s = np.array([[(len(r) - r.index(it)) if it in r else -1.0 - items.index(it) / 100 for it in items]])
        vals.append(ndcg_score(y, s, k=k))
    print(f"ndcg@{k} per user", list(map(repr, vals)), "mean", repr(float(np.mean(vals))))
