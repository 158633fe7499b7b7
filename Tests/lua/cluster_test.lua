-- cl.cluster, cl.decomp and the recommendation metrics: reference values from
-- scripts/reference/cluster_reference.py (scikit-learn 1.9.1, numpy 2.4.6) on
-- the same integer-formula data; recommendation metrics also by hand.
local T = cl.test

-- x[i][j] = 2 u(i, j) + 4 [i % 3 == j % 3] + 0.5 j  (i, j 0-based)
local function data(n, d)
  local cols, names = {}, {}
  for j = 0, d - 1 do
    local v = {}
    for i = 0, n - 1 do
      local u = ((i * 2654435761 + j * 40503) % 10007) / 10007
      v[i + 1] = 2 * u + (i % 3 == j % 3 and 4 or 0) + 0.5 * j
    end
    cols["x" .. (j + 1)] = v
    names[j + 1] = "x" .. (j + 1)
  end
  return cl.frame(cols, { names = names })
end

local X = data(300, 4)
local function rows(df, n)
  local out = {}
  for i = 1, n do local r = df:row(i); out[i] = { r.x1, r.x2, r.x3, r.x4 } end
  return out
end

T.case("kmeans from given centres matches scikit-learn", function()
  local km = cl.cluster.kmeans { k = 5, init = rows(X, 5) }:fit(X)
  T.near(km.inertia, 311.12075173763947, 1e-9)
  T.eq(km.n_iter, 5)
  T.eq(km.centers:nrow(), 5)
  T.near(km.centers:row(4).x1, 5.368949143007302, 1e-12)
  local lab = km.labels:to_table()
  T.eq({ lab[1], lab[2], lab[3], lab[4], lab[5], lab[6] }, { 1, 2, 3, 4, 5, 3 })
  local p = km:predict(X)
  T.eq(p:to_table(), lab)
  T.near(km:score(X), -311.12075173763947, 1e-9)
  T.near(cl.cluster.silhouette(X, km.labels), 0.5563066601112973, 1e-12)
end)

T.case("kmeans++ is seeded; options are checked", function()
  local a = cl.cluster.kmeans { k = 3, seed = 1 }:fit(X, { features = { "x1", "x2", "x3", "x4" } })
  local b = cl.cluster.kmeans { k = 3, seed = 1 }:fit(X)
  T.eq(a.inertia, b.inertia)
  T.near(a.inertia, 404.2843432009903, 1e-9)
  T.raises(function() cl.cluster.kmeans { k = 0 } end, "k")
  T.raises(function() cl.cluster.kmeans { k = 3, tol = -1 } end, "tol")
  T.raises(function() cl.cluster.kmeans { k = 3, algorithm = "hamerly" } end, "'lloyd' or 'elkan'")
  local e = cl.cluster.kmeans { k = 5, init = rows(X, 5), algorithm = "elkan" }:fit(X)
  T.near(e.inertia, 311.12075173763947, 1e-9)
  T.eq(e.n_iter, 5)
  local mb = cl.cluster.minibatch_kmeans { k = 3, batch_size = 64, seed = 2 }:fit(X)
  T.eq(mb.inertia, cl.cluster.minibatch_kmeans { k = 3, batch_size = 64, seed = 2 }:fit(X).inertia)
  T.ok(mb.inertia < 404.2843432009903 * 1.02, "mini-batch within 2% of the optimum")
  T.raises(function() cl.cluster.minibatch_kmeans { k = 3, batch_size = 0 } end, "batch_size")
  T.raises(function() cl.cluster.kmeans { k = 3, init = "kmeans" } end, "k-means++")
  T.raises(function() cl.cluster.kmeans { k = 3 }:predict(X) end, "not fitted")
  T.raises(function() cl.cluster.kmeans { k = 3 }:fit(cl.frame { a = { 1, 0 / 0, 3 } }) end, "'a' row 2")
end)

T.case("choose_k and sampled silhouette", function()
  local t = cl.cluster.choose_k(X, { k = { 2, 3, 4 }, seed = 1, sample_size = 300 })
  T.eq(t:nrow(), 3)
  T.near(t:row(2).silhouette, 0.7710805347585366, 1e-12) -- k = 3 reaches the blobs
  local s = cl.cluster.silhouette(X, cl.cluster.kmeans { k = 3, seed = 1 }:fit_predict(X), { sample_size = 120, seed = 5 })
  T.near(s, 0.7710805347585366, 0.05)
  T.raises(function() cl.cluster.silhouette(X, { 1, 2 }) end, "labels")
end)

T.case("pca matches scikit-learn", function()
  local pca = cl.decomp.pca { n_components = 2 }
  local sc = pca:fit_transform(X)
  T.near(pca.explained_variance, { 9.052012476878156, 5.415357891075924 }, 1e-11)
  T.near(pca.explained_variance_ratio, { 0.5805426828459092, 0.34730911017703625 }, 1e-12)
  T.near(pca.components:row(1).x1, 0.6397848900484108, 1e-12)
  T.near({ sc:row(1).pc1, sc:row(1).pc2 }, { 3.6394005411582953, 0.04957256154862161 }, 1e-11)
  T.near({ sc:row(300).pc1, sc:row(300).pc2 }, { -1.6276057260702228, 2.908566477062105 }, 1e-11)
  T.raises(function() cl.decomp.pca { n_components = 9 }:fit(X) end, "n_components")
end)

T.case("recommendation metrics (hand-computed; NDCG from scikit-learn ndcg_score)", function()
  local rec = { { "c1", "c2", "c3", "c4", "c5" }, { "c9", "c8", "c7", "c6", "c5" }, { "c0", "c3", "c6", "c1", "c2" } }
  local rel = { { "c2", "c5", "c7" }, { "c1" }, { "c0", "c6" } }
  T.near(cl.metrics.precision_at_k(rec, rel, { k = 3 }), 1 / 3, 1e-15)
  T.near(cl.metrics.recall_at_k(rec, rel, { k = 3 }), 4 / 9, 1e-15)
  T.near(cl.metrics.map_at_k(rec, rel, { k = 3 }), 1 / 3, 1e-15)
  T.near(cl.metrics.ndcg_at_k(rec, rel, { k = 3 }), 0.40526756670468433, 1e-15)
  T.near(cl.metrics.ndcg_at_k(rec, rel, { k = 5 }), 0.46578149755046855, 1e-15)
  T.near(cl.metrics.hit_rate(rec, rel, { k = 3 }), 2 / 3, 1e-15)
  T.near(cl.metrics.coverage(rec, 10, { k = 3 }), 0.8, 1e-15)
  T.near(cl.metrics.precision_at_k({ { 1, 2 } }, { { 2 } }), 0.1, 1e-15) -- default k = 10, integer ids
  T.raises(function() cl.metrics.ndcg_at_k(rec, rel, { k = 0 }) end, "k")
  T.raises(function() cl.metrics.ndcg_at_k(rec, { { "a" } }) end, "relevant")
  T.raises(function() cl.metrics.ndcg_at_k({ { 1.5 } }, { { 1 } }) end, "strings or integers")
end)

T.case("text.tfidf matches scikit-learn TfidfVectorizer", function()
  local docs = { "Python Basics: variables, loops and functions", "Advanced Python: decorators, generators and async",
    "Data analysis with pandas and Python", "Marketing basics for small business owners", "python python python loops" }
  local tf = cl.text.tfidf()
  local w = tf:fit_transform(docs)
  T.eq(#tf.vocabulary, 19)
  local last = w:filter(cl.col("doc"):eq(5))
  T.eq(last:column("term"):to_table(), { "loops", "python" })
  T.near(last:column("tfidf"):to_table(), { 0.43078712759480253, 0.9024535726000642 }, 1e-15)
  local cjk = cl.text.tfidf():fit_transform({ "机器学习入门" })
  T.eq(cjk:column("term"):to_table(), { "习入", "入门", "器学", "学习", "机器" })
  T.near(tf:similarity({ docs[1] }, { docs[1] })[1], 1, 1e-15)
  T.raises(function() cl.text.tfidf { min_df = -1 } end, "min_df")
  T.raises(function() cl.text.tfidf():transform(docs) end, "not fitted")
end)
