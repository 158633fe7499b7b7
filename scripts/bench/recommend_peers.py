"""`implicit` side of scripts/bench/recommend_bench.sh: same data, same split,
NDCG@10 with binary gains (the definition in RecommendationRanking.swift).
implicit's confidence is the matrix value itself, so the matrix holds
1 + alpha * w to match ChurnLab's c = 1 + alpha * w."""
import sys, time, math
import numpy as np
import scipy.sparse as sp
import implicit
from implicit.als import AlternatingLeastSquares
from implicit.nearest_neighbours import CosineRecommender

U = int(sys.argv[1]) if len(sys.argv) > 1 else 400
I = int(sys.argv[2]) if len(sys.argv) > 2 else 40
F = int(sys.argv[3]) if len(sys.argv) > 3 else 8
P = int(sys.argv[4]) if len(sys.argv) > 4 else 8
IT = int(sys.argv[5]) if len(sys.argv) > 5 else 10
train, held = [], {}
for user in range(U):
    fav, seen, n = user % 4, set(), 0
    h = user * 2654435761 % 4294967296
    while n < P:
        h = (h * 1103515245 + 12345) % 2147483648
        item = fav + 4 * (h % (I // 4))
        if item not in seen:
            seen.add(item); n += 1
            (train.append((user, item)) if n < P - 1 else held.setdefault(user, []).append(item))
    for item in (1, 2):
        if item not in seen: train.append((user, item))
rows = np.array([r for r, _ in train]); cols = np.array([c for _, c in train])
print(f"RESULT {U} users, {I} items, {len(train)} training interactions")


def ndcg(recs):
    tot, users = 0.0, 0
    for u in range(U):
        rel = set(held.get(u, []))
        if not rel: continue
        users += 1
        dcg = sum(1 / math.log2(i + 2) for i, it in enumerate(recs[u][:10]) if it in rel)
        idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(rel))))
        tot += dcg / idcg
    return tot / users


if len(sys.argv) > 6:  # "1,2,3": ALS only, once per seed (recommend_bench.sh --als-seeds)
    m = sp.csr_matrix((np.full(len(rows), 11.0), (rows, cols)), shape=(U, I))
    for seed in sys.argv[6].split(","):
        model = AlternatingLeastSquares(factors=F, iterations=IT, regularization=0.1, alpha=1.0, random_state=int(seed), calculate_training_loss=False)
        model.fit(m, show_progress=False)
        ids, _ = model.recommend(np.arange(U), m, N=10, filter_already_liked_items=True)
        print(f"RESULT als seed {seed:4s} NDCG@10 {ndcg(ids.tolist()):.5f}")
    sys.exit(0)

for name, model, values in [
    ("item_knn (cosine, K=20)", CosineRecommender(K=20), np.ones(len(rows))),
    (f"als ({F} factors, {IT} it, c=1+10w, reg 0.1)", AlternatingLeastSquares(factors=F, iterations=IT, regularization=0.1, alpha=1.0, random_state=1, calculate_training_loss=False), np.full(len(rows), 11.0)),
]:
    t0 = time.perf_counter(); m = sp.csr_matrix((values, (rows, cols)), shape=(U, I)); tb = time.perf_counter() - t0
    print(f"RESULT {name:42s} CSR matrix from arrays {tb:7.3f} s (not in fit)")
    t0 = time.perf_counter(); model.fit(m, show_progress=False); tf = time.perf_counter() - t0
    t0 = time.perf_counter(); ids, _ = model.recommend(np.arange(U), m, N=10, filter_already_liked_items=True); tr = time.perf_counter() - t0
    print(f"RESULT {name:42s} fit {tf:7.3f} s  recommend-all {tr:7.3f} s  NDCG@10 {ndcg(ids.tolist()):.4f}")
