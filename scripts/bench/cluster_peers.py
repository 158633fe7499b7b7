"""scikit-learn side of scripts/bench/cluster_bench.sh (same data formula)."""
import sys, time
import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
d = int(sys.argv[2]) if len(sys.argv) > 2 else 20
i = np.arange(n, dtype=np.int64)[:, None]
j = np.arange(d, dtype=np.int64)[None, :]
X = 2 * (((i * 2654435761 + j * 40503) % 10007) / 10007) + np.where(i % 8 == j % 8, 4.0, 0.0) + 0.5 * j


def best(f, reps=3):
    b, out = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter(); out = f(); b = min(b, time.perf_counter() - t0)
    return b, out


t, km = best(lambda: KMeans(n_clusters=8, init=X[:8].copy(), n_init=1, algorithm="lloyd").fit(X))
print(f"RESULT kmeans lloyd, given centres  {t:8.3f} s  inertia {km.inertia_:.10g}  n_iter {km.n_iter_}")
t, km = best(lambda: KMeans(n_clusters=8, n_init=1, random_state=1, algorithm="lloyd").fit(X))
print(f"RESULT kmeans lloyd, k-means++ n=1  {t:8.3f} s  inertia {km.inertia_:.10g}  n_iter {km.n_iter_}")
t, km = best(lambda: KMeans(n_clusters=8, init=X[:8].copy(), n_init=1, algorithm="elkan").fit(X))
print(f"RESULT kmeans elkan, given centres  {t:8.3f} s  inertia {km.inertia_:.10g}  n_iter {km.n_iter_}")
t, km = best(lambda: KMeans(n_clusters=8, n_init=1, random_state=1, algorithm="elkan").fit(X))
print(f"RESULT kmeans elkan, k-means++ n=1  {t:8.3f} s  inertia {km.inertia_:.10g}  n_iter {km.n_iter_}")
t, km = best(lambda: KMeans(n_clusters=8, n_init=10, random_state=1, algorithm="lloyd").fit(X), 1)
print(f"RESULT kmeans lloyd, k-means++ n=10 {t:8.3f} s  inertia {km.inertia_:.10g}")
t, _ = best(lambda: silhouette_score(X, km.labels_, sample_size=10000, random_state=1))
print(f"RESULT silhouette, 10000-row sample {t:8.3f} s")
t, _ = best(lambda: PCA(n_components=2, svd_solver="full").fit_transform(X))
print(f"RESULT pca 2 components fit+transform {t:6.3f} s")
