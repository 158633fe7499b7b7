-- Recommenders on a latent-taste catalogue (same generator as recommend_peers.py):
-- U users, I items in 4 topics; user u prefers topic u % 4 and touches P (default 8) of its items
-- (LCG-picked), plus items 1 and 2 (globally popular). Held out: each user's last two taste items.
-- Anchor size (issue 14): 200000 5000 64 42 15 → 8.4M training interactions. Fit times include
-- building the interaction matrix from the frame; popular's fit is only that, so item-kNN's fit
-- from a ready matrix is its fit minus popular's (printed), comparable with implicit's fit of a CSR matrix.
local U = tonumber(arg[1]) or 400
local I = tonumber(arg[2]) or 40
local F = tonumber(arg[3]) or 8      -- ALS factors
local P = tonumber(arg[4]) or 8      -- taste items per user (the last two held out)
local IT = tonumber(arg[5]) or 10    -- ALS iterations
local u, it, t = {}, {}, {}
for user = 0, U - 1 do
  local fav, seen, n = user % 4, {}, 0
  local h = user * 2654435761 % 4294967296
  while n < P do
    h = (h * 1103515245 + 12345) % 2147483648
    local item = fav + 4 * (h % (I // 4))
    if not seen[item] then seen[item] = true; n = n + 1; u[#u + 1] = user; it[#it + 1] = "i" .. item; t[#t + 1] = n end
  end
  for _, item in ipairs({ 1, 2 }) do
    if not seen[item] then u[#u + 1] = user; it[#it + 1] = "i" .. item; t[#t + 1] = 0 end
  end
end
local df = cl.frame({ user_id = u, item = it, t = t }, { names = { "user_id", "item", "t" } })
local train, test = df:filter(cl.col("t"):lt(P - 1)), df:filter(cl.col("t"):ge(P - 1))
print(string.format("RESULT %d users, %d items, %d training interactions", U, I, train:nrow()))
local held = {}
for i = 1, test:nrow() do local r = test:row(i); held[r.user_id] = held[r.user_id] or {}; table.insert(held[r.user_id], r.item) end
local users, rel = {}, {}
for x = 0, U - 1 do users[#users + 1] = x; rel[#rel + 1] = held[x] or {} end
local function lists(rec)
  local recs = {}
  for i = 1, #users do recs[i] = {} end
  local uc, ic = rec:column("user_id"):to_table(), rec:column("item"):to_table()
  for i = 1, #uc do table.insert(recs[tonumber(uc[i]) + 1], ic[i]) end
  return recs
end
-- arg[6] = "1,2,3": ALS only, once per seed (NDCG spread across initialisations; recommend_bench.sh --als-seeds)
if arg[6] then
  for seed in arg[6]:gmatch("%d+") do
    local m = cl.recommend.als { factors = F, iterations = IT, alpha = 10, regularization = 0.1, seed = tonumber(seed) }
    m:fit(train)
    print(string.format("RESULT als seed %-4s NDCG@10 %.5f", seed, cl.metrics.ndcg_at_k(lists(m:recommend(users, { k = 10 })), rel, { k = 10 })))
  end
  return
end
local build
for _, m in ipairs({
  { "popular", cl.recommend.popular() },
  { "item_knn (20 neighbours)", cl.recommend.item_knn { neighbours = 20 } },
  { string.format("als (%d factors, %d it, alpha 10, reg 0.1)", F, IT), cl.recommend.als { factors = F, iterations = IT, alpha = 10, regularization = 0.1, seed = 1 } },
}) do
  local t0 = cl.clock(); m[2]:fit(train); local tf = cl.clock() - t0
  t0 = cl.clock(); local rec = m[2]:recommend(users, { k = 10 }); local tr = cl.clock() - t0
  build = build or tf
  print(string.format("RESULT %-42s fit %7.3f s  recommend-all %7.3f s  NDCG@10 %.4f", m[1], tf, tr, cl.metrics.ndcg_at_k(lists(rec), rel, { k = 10 })))
  if m[1]:find("item_knn") then print(string.format("RESULT %-42s fit %7.3f s (from a ready matrix: fit − popular's fit)", "item_knn", tf - build)) end
end
