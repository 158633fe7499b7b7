-- cl.recommend: popularity and item-kNN on a latent-taste toy catalogue;
-- the cosine values themselves are checked against a dense reference in
-- Tests/ChurnCoreTests/Recommend/ItemKNNTests.swift.
local T = cl.test

-- 400 users, 40 items in 4 topics (item i has topic i % 4); user u prefers topic u % 4.
-- Each user touches 10 items: 8 from the favourite topic, 2 globally popular (items 1, 2).
-- Items are picked by an integer hash, so the data are fixed.
local function data()
  local u, it, t = {}, {}, {}
  for user = 0, 399 do
    local fav, seen, n = user % 4, {}, 0
    local h = user * 2654435761 % 4294967296
    while n < 8 do
      h = (h * 1103515245 + 12345) % 2147483648
      local item = fav + 4 * (h % 10)
      if not seen[item] then seen[item] = true; n = n + 1; u[#u + 1] = user; it[#it + 1] = "i" .. item; t[#t + 1] = n end
    end
    for _, item in ipairs({ 1, 2 }) do
      if not seen[item] then u[#u + 1] = user; it[#it + 1] = "i" .. item; t[#t + 1] = 0 end
    end
  end
  return cl.frame({ user_id = u, item = it, t = t }, { names = { "user_id", "item", "t" } })
end

T.case("item_knn beats popularity on latent tastes", function()
  local df = data()
  -- Hold out each user's last two taste items (t >= 7).
  local train, test = df:filter(cl.col("t"):lt(7)), df:filter(cl.col("t"):ge(7))
  local held = {}
  for i = 1, test:nrow() do local r = test:row(i); held[r.user_id] = held[r.user_id] or {}; table.insert(held[r.user_id], r.item) end
  local users = {}
  for u = 0, 399 do users[#users + 1] = u end
  local function lists(rec)
    local recs, rel = {}, {}
    for i, u in ipairs(users) do recs[i] = {}; rel[i] = held[u] or {} end
    for i = 1, rec:nrow() do local r = rec:row(i); table.insert(recs[tonumber(r.user_id) + 1], r.item) end
    return recs, rel
  end
  local knn = cl.recommend.item_knn { neighbours = 20 }:fit(train)
  local pop = cl.recommend.popular():fit(train)
  local rk, rel = lists(knn:recommend(users, { k = 5 }))
  local rp = lists(pop:recommend(users, { k = 5 }))
  local nk, np = cl.metrics.ndcg_at_k(rk, rel, { k = 5 }), cl.metrics.ndcg_at_k(rp, rel, { k = 5 })
  T.ok(nk > 2 * np, string.format("item_knn NDCG@5 %.3f vs popular %.3f", nk, np))
  local r = knn:recommend({ 0 }, { k = 3 })
  T.eq(r:nrow(), 3)
  T.eq(r:row(1).rank, 1)
  T.ok(r:row(1).reason:find("because you engaged with i", 1, true) ~= nil, r:row(1).reason)
  T.eq(knn:recommend("stranger", { k = 2 }):row(1).reason, "popular (new user)")
  local sim = knn:similar_items("i4", { k = 3 })
  T.eq(sim:nrow(), 3)
  T.raises(function() knn:similar_items("nope") end, "unknown item")
  T.raises(function() cl.recommend.popular():recommend({ 1 }) end, "not fitted")
  T.raises(function() knn:recommend({ 1 }, { k = 0 }) end, "k")
end)

T.case("als: loss decreases; personalised beats popularity", function()
  local df = data()
  local train, test = df:filter(cl.col("t"):lt(7)), df:filter(cl.col("t"):ge(7))
  local held = {}
  for i = 1, test:nrow() do local r = test:row(i); held[r.user_id] = held[r.user_id] or {}; table.insert(held[r.user_id], r.item) end
  local users, rel = {}, {}
  for u = 0, 399 do users[#users + 1] = u; rel[#rel + 1] = held[u] or {} end
  local als = cl.recommend.als { factors = 8, iterations = 10, alpha = 10, regularization = 0.1, seed = 1, calculate_training_loss = true }:fit(train)
  local loss = als.loss
  T.eq(#loss, 10)
  for i = 2, #loss do T.ok(loss[i] <= loss[i - 1] * (1 + 1e-12), "loss rises at iteration " .. i) end
  local function lists(rec)
    local recs = {}
    for i = 1, #users do recs[i] = {} end
    for i = 1, rec:nrow() do local r = rec:row(i); table.insert(recs[tonumber(r.user_id) + 1], r.item) end
    return recs
  end
  local na = cl.metrics.ndcg_at_k(lists(als:recommend(users, { k = 5 })), rel, { k = 5 })
  local np = cl.metrics.ndcg_at_k(lists(cl.recommend.popular():fit(train):recommend(users, { k = 5 })), rel, { k = 5 })
  T.ok(na > 2 * np, string.format("als NDCG@5 %.3f vs popular %.3f", na, np))
  T.raises(function() cl.recommend.als { factors = 0 } end, "factors")
  T.raises(function() cl.recommend.als { alpha = -1 } end, "alpha")
  T.raises(function() cl.recommend.als { solver = "lu" } end, "solver must be 'cg' or 'cholesky'")
  -- Without calculate_training_loss no objective is computed.
  T.eq(#cl.recommend.als { factors = 4, iterations = 2 }:fit(train).loss, 0)
  -- The exact solver also descends monotonically and recommends as well.
  local exact = cl.recommend.als { factors = 8, iterations = 10, alpha = 10, regularization = 0.1, seed = 1, solver = "cholesky",
                                   calculate_training_loss = true }:fit(train)
  for i = 2, 10 do T.ok(exact.loss[i] <= exact.loss[i - 1] * (1 + 1e-12), "cholesky loss rises at iteration " .. i) end
  -- CG with as many steps as factors solves every half-step, so it follows the exact path to single-precision
  -- accuracy. The start (uniform in [0, 0.01), as implicit) makes the first Gram matrices nearly rank one, so the
  -- Float32 CG differs from the Float64 Cholesky in the 5th digit after the first iteration (4e-5 here) and the
  -- paths drift apart by up to 7.4e-4 relative over 10 iterations (seeds 1-3; 3e-4 with seed 1).
  local full = cl.recommend.als { factors = 8, iterations = 10, alpha = 10, regularization = 0.1, seed = 1, cg_steps = 8,
                                  calculate_training_loss = true }:fit(train)
  T.ok(math.abs(full.loss[1] - exact.loss[1]) < 1e-4 * exact.loss[1], string.format("first iteration: cg %.6g vs exact %.6g", full.loss[1], exact.loss[1]))
  for i = 2, 10 do T.ok(math.abs(full.loss[i] - exact.loss[i]) < 1e-3 * exact.loss[i], string.format("cg %.6g vs exact %.6g", full.loss[i], exact.loss[i])) end
end)

T.case("simulate.platform has a course catalogue and taste-driven interactions", function()
  local sim = cl.simulate.platform { users = 200, days = 90, seed = 3 }
  T.eq(sim.courses:nrow(), 120)
  T.eq(sim.courses:names(), { "course_id", "title", "topic", "level", "price", "lessons", "description" })
  T.eq(sim.interactions:names(), { "user_id", "ts", "course_id", "action", "rating" })
  local small = cl.simulate.platform { users = 50, days = 30, seed = 3, courses = 10 }
  T.eq(small.courses:nrow(), 10)
  -- The other tables do not depend on the catalogue size.
  T.eq(small.events:nrow(), cl.simulate.platform { users = 50, days = 30, seed = 3, courses = 0 }.events:nrow())
  T.eq(cl.simulate.platform { users = 50, days = 30, seed = 3, courses = 0 }.interactions:nrow(), 0)
  T.raises(function() cl.simulate.platform { courses = -1 } end, "courses")
end)

T.case("cold start: popular in your persona (counts by hand)", function()
  -- a, b are persona A; c is persona B. Items by first appearance: i1, i2, i3, i4.
  -- Distinct users per item — A: i1 1, i2 2, i3 1, i4 0; B: i1 1, i4 1; all: i1 2, i2 2, i3 1, i4 1.
  local inter = cl.frame({ user_id = { "a", "a", "b", "b", "c", "c" }, item = { "i1", "i2", "i2", "i3", "i4", "i1" } },
                         { names = { "user_id", "item" } })
  local people = cl.frame({ user_id = { "a", "b", "c", "n1", "n2", "n3" }, segment = { "A", "A", "B", "A", "B", "C" } },
                          { names = { "user_id", "segment" } })
  local knn = cl.recommend.item_knn { neighbours = 5 }:fit(inter)
  local r = knn:recommend({ "n1", "n2", "n3" }, { k = 3, personas = people, persona = "segment" })
  -- n1 (A): i2 (2), then the ties i1, i3 (1) by item order. n2 (B): i1, i4 (1 each), then global fill i2.
  -- n3 (C: no training user): global popularity i1, i2 (2), i3 (1).
  T.eq(r.item:to_table(), { "i2", "i1", "i3", "i1", "i4", "i2", "i1", "i2", "i3" })
  T.eq(r.score:to_table(), { 2, 1, 1, 1, 1, 2, 2, 2, 1 })
  T.eq(r.reason:to_table(), { "popular in your persona (A)", "popular in your persona (A)", "popular in your persona (A)",
                              "popular in your persona (B)", "popular in your persona (B)", "popular (new user)",
                              "popular (new user)", "popular (new user)", "popular (new user)" })
  -- Known users keep their personalised lists.
  T.ok(knn:recommend({ "a" }, { k = 1, personas = people, persona = "segment" }).reason:to_table()[1]:find("because you engaged with", 1, true))
  -- The popularity model given personas ranks within the persona for everyone: a (A) has seen i1, i2 →
  -- i3 (A count 1), then i4 (A count 0) from global popularity.
  local p = cl.recommend.popular():fit(inter):recommend("a", { k = 2, personas = people, persona = "segment" })
  T.eq(p.item:to_table(), { "i3", "i4" })
  T.eq(p.reason:to_table(), { "popular in your persona (A)", "popular" })
  -- Integer persona labels (as k-means gives) and the default column names.
  local lab = cl.frame({ user_id = { "a", "b", "c", "n1" }, persona = { 1, 1, 2, 1 } }, { names = { "user_id", "persona" } })
  T.eq(knn:recommend("n1", { k = 1, personas = lab }).reason:to_table(), { "popular in your persona (1)" })
  T.raises(function() knn:recommend("n1", { persona = "segment" }) end, "'personas' (a frame")
  T.raises(function() knn:recommend("n1", { personas = people }) end, "no column 'persona'")
  T.raises(function() knn:recommend("n1", { personas = { 1 } }) end, "must be a frame")
end)
