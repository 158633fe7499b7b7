"""Reference values for Tests/ChurnCoreTests/Recommend/ItemKNNTests.swift
(testNeighboursEqualImplicit): implicit's CosineRecommender on a small fixed
user × item matrix. implicit keeps K neighbours per item *including the item
itself* (similarity 1), so K = 4 gives the 3 neighbours ChurnLab keeps with
neighbours = 3. Run: .venv-ref/bin/python scripts/reference/implicit_reference.py
(implicit 0.7.3, numpy, scipy)."""
import numpy as np
import scipy.sparse as sp
from implicit.nearest_neighbours import CosineRecommender

U, I = 30, 12
rng = np.random.RandomState(0)
dense = np.where(rng.rand(U, I) < 0.35, rng.randint(1, 6, size=(U, I)), 0).astype(np.float64)
m = sp.csr_matrix(dense)
nz = [(u, i, int(dense[u, i])) for u in range(U) for i in range(I) if dense[u, i]]
print("users:", [u for u, _, _ in nz]); print("items:", [i for _, i, _ in nz]); print("weights:", [w for _, _, w in nz])
rec = CosineRecommender(K=4)
rec.fit(m, show_progress=False)
sim = rec.similarity.tocsr()
for i in range(I):
    row = sim.getrow(i)
    pairs = sorted(((j, v) for j, v in zip(row.indices, row.data) if j != i), key=lambda t: (-t[1], t[0]))
    print(i, [(int(j), round(float(v), 12)) for j, v in pairs])
