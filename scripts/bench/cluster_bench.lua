-- k-means / silhouette / PCA timings on N × D integer-formula data (same as
-- scripts/bench/cluster_peers.py builds): x[i][j] = 2 u(i, j) + 4 [i % 8 == j % 8] + 0.5 j.
local n = tonumber(arg[1]) or 1000000
local d = tonumber(arg[2]) or 20
local cols, names = {}, {}
for j = 0, d - 1 do
  local v = {}
  for i = 0, n - 1 do
    v[i + 1] = 2 * (((i * 2654435761 + j * 40503) % 10007) / 10007) + (i % 8 == j % 8 and 4 or 0) + 0.5 * j
  end
  cols["x" .. (j + 1)] = v; names[j + 1] = "x" .. (j + 1)
end
local X = cl.frame(cols, { names = names })
cols = nil; collectgarbage()
local init = {}
for i = 1, 8 do local r = X:row(i); init[i] = {}; for j = 1, d do init[i][j] = r["x" .. j] end end

local function best(f, reps)
  local b, out = math.huge, nil
  for _ = 1, reps or 3 do local t0 = cl.clock(); out = f(); b = math.min(b, cl.clock() - t0) end
  return b, out
end
local t, km = best(function() return cl.cluster.kmeans { k = 8, init = init }:fit(X) end)
print(string.format("RESULT kmeans lloyd, given centres  %8.3f s  inertia %.10g  n_iter %d", t, km.inertia, km.n_iter))
t, km = best(function() return cl.cluster.kmeans { k = 8, seed = 1 }:fit(X) end)
print(string.format("RESULT kmeans lloyd, k-means++ n=1  %8.3f s  inertia %.10g  n_iter %d", t, km.inertia, km.n_iter))
t, km = best(function() return cl.cluster.kmeans { k = 8, init = init, algorithm = "elkan" }:fit(X) end)
print(string.format("RESULT kmeans elkan, given centres  %8.3f s  inertia %.10g  n_iter %d", t, km.inertia, km.n_iter))
t, km = best(function() return cl.cluster.kmeans { k = 8, seed = 1, algorithm = "elkan" }:fit(X) end)
print(string.format("RESULT kmeans elkan, k-means++ n=1  %8.3f s  inertia %.10g  n_iter %d", t, km.inertia, km.n_iter))
t, km = best(function() return cl.cluster.kmeans { k = 8, seed = 1, n_init = 10 }:fit(X) end, 1)
print(string.format("RESULT kmeans lloyd, k-means++ n=10 %8.3f s  inertia %.10g", t, km.inertia))
local labels = km.labels
t = best(function() return cl.cluster.silhouette(X, labels, { sample_size = 10000, seed = 1 }) end)
print(string.format("RESULT silhouette, 10000-row sample %8.3f s", t))
t = best(function() return cl.decomp.pca { n_components = 2 }:fit_transform(X) end)
print(string.format("RESULT pca 2 components fit+transform %6.3f s", t))
