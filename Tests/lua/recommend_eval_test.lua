-- cl.recommend: user_knn, content (incl. Chinese), hybrid, cold start, split,
-- evaluate, wide; a retention rule naming a recommended course.
local T = cl.test
local col = cl.col

local sim = cl.simulate.platform { users = 1500, days = 300, seed = 11 }
local views = sim.interactions:filter(col("action"):eq("view"))

T.case("split: leave-last-out per user and time split", function()
  local f = cl.frame({ user_id = { "a", "a", "a", "b", "b", "c" }, item = { "x", "y", "x", "x", "z", "y" },
                       t = { 1, 2, 3, 5, 4, 9 } }, { names = { "user_id", "item", "t" } })
  -- a: latest is x (t 3), so both x rows go to test; b: latest is x (t 5); c has one row and stays.
  local train, test = cl.recommend.split(f, { time = "t" })
  T.eq(train.item:to_table(), { "y", "z", "y" })
  T.eq(test.item:to_table(), { "x", "x", "x" })
  -- Time split at t >= 4 (holdout '5d' on integer days: last 9 − 5 + 1 = 5): b's z (t 4) stays in training.
  local tr2, te2 = cl.recommend.split(f, { by = "time", time = "t", cutoff = nil, holdout = "5d" })
  T.eq(te2.t:to_table(), { 5, 9 })
  T.eq(tr2:nrow(), 4)
  T.raises(function() cl.recommend.split(f, { by = "day", time = "t" }) end, "by must be 'user' or 'time'")
  T.raises(function() cl.recommend.split(f, { user = "who" }) end, "no column 'who'")
end)

T.case("evaluate: metrics by hand on a tiny case", function()
  -- Training: u1 saw a, b; u2 saw a, c; u3 saw a. Popularity: a 3, b 1, c 1 (ties by first appearance: b before c).
  local train = cl.frame({ user_id = { "u1", "u1", "u2", "u2", "u3" }, item = { "a", "b", "a", "c", "a" } })
  local pop = cl.recommend.popular():fit(train)
  -- Held out: u1 → c, u3 → c. Recommendations (seen excluded, k = 2): u1 → c; u3 → b, c.
  local test = cl.frame({ user_id = { "u1", "u3" }, item = { "c", "c" } })
  local e = cl.recommend.evaluate(pop, test, { k = 2 })
  T.eq(e.users:to_table(), { 2 })
  -- precision: u1 1/2, u3 1/2 → 0.5; recall 1; hit rate 1.
  T.near(e.precision_at_k:to_table()[1], 0.5, 1e-12)
  T.near(e.recall_at_k:to_table()[1], 1, 1e-12)
  -- NDCG: u1 hit at rank 1 → 1; u3 hit at rank 2 → (1/log2 3)/1 = 0.63093; mean 0.815465.
  T.near(e.ndcg_at_k:to_table()[1], (1 + 1 / (math.log(3) / math.log(2))) / 2, 1e-12)
  -- MAP (ml_metrics apk): u1 1; u3 (1/2)/1 = 0.5 → 0.75.
  T.near(e.map_at_k:to_table()[1], 0.75, 1e-12)
  -- Coverage: {b, c} of 3 items; novelty: c and b each held by 1 of 3 users → −log2(1/3) = 1.58496.
  T.near(e.coverage:to_table()[1], 2 / 3, 1e-12)
  T.near(e.novelty:to_table()[1], math.log(3) / math.log(2), 1e-12)
end)

T.case("personalised recommenders beat popularity on the simulator (NDCG@10)", function()
  local train, test = cl.recommend.split(views, { item = "course_id" })
  local fit = { user = "user_id", item = "course_id" }
  local content = cl.recommend.content { items = sim.courses, id = "course_id", text = "description", title = "title" }
  local models = {
    popular = cl.recommend.popular(),
    item_knn = cl.recommend.item_knn { neighbours = 50 },
    user_knn = cl.recommend.user_knn { neighbours = 50 },
    als = cl.recommend.als { factors = 8, iterations = 15, regularization = 1, alpha = 1 },
    content = content,
  }
  models.hybrid = cl.recommend.hybrid { { models.item_knn, 0.7 }, { content, 0.3 } }
  local ndcg = {}
  for _, name in ipairs({ "popular", "item_knn", "user_knn", "als", "content", "hybrid" }) do
    models[name]:fit(train, fit)
    local e = cl.recommend.evaluate(models[name], test, { k = 10, item = "course_id" })
    ndcg[name] = e.ndcg_at_k:to_table()[1]
    print(string.format("simulator NDCG@10 %-8s %.4f  coverage %.3f  novelty %.3f (%d users)", name, ndcg[name],
      e.coverage:to_table()[1], e.novelty:to_table()[1], e.users:to_table()[1]))
  end
  T.ok(ndcg.item_knn > 1.5 * ndcg.popular)
  T.ok(ndcg.user_knn > 1.5 * ndcg.popular)
  T.ok(ndcg.als > 1.5 * ndcg.popular)
  T.ok(ndcg.hybrid > ndcg.popular)
end)

T.case("content: Chinese bigrams, new items, cold start and reasons", function()
  local items = cl.frame({ item = { "py1", "py2", "zh1", "zh2", "new" },
                           title = { "Python Basics", "Advanced Python", "数据分析入门", "数据分析实战", "Python Testing" },
                           description = { "python functions loops", "python functions debugging", "数据分析的图表与模型",
                                           "数据分析的回归与模型", "python testing functions" } })
  local inter = cl.frame({ user_id = { "u1", "u2", "u2" }, item = { "py1", "zh1", "py1" } })
  local rec = cl.recommend.content { items = items, title = "title" }:fit(inter)
  -- The Chinese course most similar to zh1 is zh2 (shared bigrams 数据 据分 分析 析的 模型).
  T.eq(rec:similar_items("zh1", { k = 1 }).item:to_table(), { "zh2" })
  -- u1 finished py1: the new, never-touched item shares "python" and "functions".
  local r = rec:recommend({ "u1" }, { k = 2 })
  T.eq(r.item:to_table(), { "py2", "new" })
  T.eq(r.reason:to_table()[1], "because you engaged with Python Basics")
  -- A new user gets popular items.
  local cold = rec:recommend({ "nobody" }, { k = 1 })
  T.eq(cold.item:to_table(), { "py1" })
  T.eq(cold.reason:to_table(), { "popular (new user)" })
  T.raises(function() cl.recommend.content { items = items, text = "nope" } end, "nope")
  T.raises(function() cl.recommend.hybrid { { rec, -1 } } end, "weight must be a finite number >= 0")
  T.raises(function() cl.recommend.hybrid { { 3, 1 } } end, "must be a cl.Recommender")
end)

T.case("a win-back rule names a recommended course", function()
  local users = cl.frame({ user_id = { "u1", "u2" }, risk = { 0.9, 0.2 } })
  local items = cl.frame({ item = { "c1", "c2", "c3" }, title = { "Python Basics", "SQL in Practice", "数据分析入门" },
                           description = { "python functions", "sql queries functions", "数据分析" } })
  local inter = cl.frame({ user_id = { "u1", "u2", "u2" }, item = { "c1", "c1", "c3" } })
  local rec = cl.recommend.content { items = items, title = "title" }:fit(inter)
  local wide = cl.recommend.wide(rec:recommend(users.user_id, { k = 1 }), { names = items })
  T.eq(wide.rec_1:to_table(), { "SQL in Practice", "SQL in Practice" })
  local u = users:join(wide, { on = "user_id", how = "left" })
  cl.rules.reset()
  cl.rules.rule { name = "win_back", when = col("risk"):ge(0.7),
                  action = { channel = "email", message = "We saved you a seat in {rec_1} ({rec_1_reason})" } }
  local d = cl.rules.evaluate(u, { as_of = "2024-10-01" })
  T.eq(d.message:to_table(), { "We saved you a seat in SQL in Practice (because you engaged with Python Basics)" })
end)

T.case("save and load: same recommendations, files validated", function()
  local train = cl.frame({ user_id = { "u1", "u1", "u2", "u2", "u3", "u3", "u4" }, item = { "a", "b", "a", "c", "b", "c", "a" } })
  local items = cl.frame({ item = { "a", "b", "c", "d" }, title = { "A", "B", "C", "D" },
                           description = { "python loops", "python functions", "数据分析", "python testing" } })
  local dir = os.tmpname(); os.remove(dir)
  local models = {
    als = cl.recommend.als { factors = 3, iterations = 5, seed = 2 },
    hybrid = cl.recommend.hybrid { { cl.recommend.item_knn(), 0.5 }, { cl.recommend.als { factors = 2, iterations = 3 }, 0.2 },
                                   { cl.recommend.content { items = items, title = "title" }, 0.3 } },
    user_knn = cl.recommend.user_knn { neighbours = 2 },
  }
  for name, m in pairs(models) do
    m:fit(train)
    local path = dir .. "_" .. name .. ".json"
    m:save(path)
    local back = cl.recommend.load(path)
    local a = m:recommend({ "u1", "u2", "new" }, { k = 3 })
    local b = back:recommend({ "u1", "u2", "new" }, { k = 3 })
    T.eq(b.item:to_table(), a.item:to_table())
    T.eq(b.score:to_table(), a.score:to_table())
    T.eq(b.reason:to_table(), a.reason:to_table())
    os.remove(path)
  end
  local bad = dir .. "_bad.json"
  local f = io.open(bad, "w"); f:write('{"format":"churnlab.recommender","version":1,"users":["u"],"items":["a"],"rowItems":[[3]],"rowWeights":[[1]],"spec":{"kind":"popular"}}'); f:close()
  T.raises(function() cl.recommend.load(bad) end, "item index out of range")
  f = io.open(bad, "w"); f:write('{"format":"other"}'); f:close()
  T.raises(function() cl.recommend.load(bad) end, "not a ChurnLab recommender file")
  os.remove(bad)
end)
