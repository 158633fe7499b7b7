"""Partial-dependence grid reference for Tests/lua/evaluation_test.lua.

scikit-learn's grid (sklearn.inspection._partial_dependence._grid_from_X, the
grid partial_dependence uses): unique values when fewer than grid_resolution,
else linspace between scipy mquantiles at the percentiles.
Run: .venv-ref/bin/python scripts/reference/pdp_grid_reference.py  (scikit-learn 1.9.1)
"""
import numpy as np
from sklearn.inspection._partial_dependence import _grid_from_X

X = (np.arange(1, 101, dtype=float) ** 1.5).reshape(-1, 1)       # x_i = i^1.5, i = 1..100
print("x = i^1.5, resolution 5:", repr(_grid_from_X(X, (0.05, 0.95), [False], 5, {})[0][:, 0].tolist()))
X = np.array([3.0, 1, 2, 2, 1]).reshape(-1, 1)
print("few unique values:", repr(_grid_from_X(X, (0.05, 0.95), [False], 5, {})[0][:, 0].tolist()))
