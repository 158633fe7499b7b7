-- Frame transformations, column expressions, preprocessing and splits (cl.col, df:group_by, cl.prep, df:split, …).
-- Expected numbers: Tests/ChurnCoreTests/References/prep_frame_ref.py (pandas) and prep_preprocess_ref.py (scikit-learn).
local T = cl.test

local df = cl.frame({
  user = { "a", "b", "a", "c", "b", "a", "c", "d", "b", "a", "d", "c" },
  plan = { 1, 2, 1, 1, 2, 2, 1, 3, 2, 1, 3, 1 },
  amount = { 10.5, 3.0, cl.null, 7.25, 8.0, 1.5, cl.null, 4.0, 2.5, 6.0, 9.75, 3.5 },
  n = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8 },
}, { names = { "user", "plan", "amount", "n" } })

T.case("select, drop, rename", function()
  T.eq(df:select("n", "user"):names(), { "n", "user" })
  T.eq(df:select({ "plan" }):names(), { "plan" })
  T.eq(df:drop("plan", "amount"):names(), { "user", "n" })
  T.eq(df:rename({ n = "events" }):names(), { "user", "plan", "amount", "events" })
  T.raises(function() df:select("amout") end, "no column 'amout'; did you mean 'amount'?")
end)

T.case("filter with expressions, three-valued logic and a Lua function", function()
  local big = df:filter(cl.col("amount"):ge(7) & cl.col("plan"):eq(1))
  T.eq(big.n:to_table(), { 3, 1 })
  -- null amount: (null >= 7) | true = true; (null >= 7) & true = null → dropped
  T.eq(#df:filter(cl.col("amount"):ge(7) | cl.col("plan"):eq(1)), 8)
  T.eq(#df:filter(~cl.col("amount"):is_null()), 10)
  T.eq(df:filter(cl.col("user"):isin({ "c", "d" })).user:to_table(), { "c", "c", "d", "d", "c" })
  T.eq(#df:filter(cl.col("n"):between(3, 5)), 6)
  T.eq(df:filter(function(r) return r.n > 5 end).n:to_table(), { 9, 6, 8 })
  T.raises(function() return cl.col("amount") >= 7 end, "use :le / :ge(v) instead")
  T.raises(function() df:filter(cl.col("user") + 1) end, "cannot apply + to string and int")
end)

T.case("mutate with arithmetic, when and dates", function()
  local m = df:mutate({ double = cl.col("n") * 2 + 1, kind = cl.when(cl.col("n"):gt(4), "many", "few"), rate = cl.col("amount") / cl.col("n") })
  T.eq(m:names(), { "user", "plan", "amount", "n", "double", "kind", "rate" })
  T.eq(m.double:to_table()[1], 7)
  T.eq(m.kind:to_table()[6], "many")
  T.near(m.rate:to_table()[1], 3.5, 1e-12)
  T.eq(m.rate:to_table()[3], nil)
  local d = cl.frame({ day = { 0, 1 } }):mutate({ days = cl.lit("2024-10-01"):days_since("2024-01-01") })
  T.eq(d.days:to_table(), { 274, 274 })
end)

T.case("sort_by: several keys, descending, stable, nulls last (pandas order)", function()
  local s = df:mutate({ row = cl.col("n") * 0 }):sort_by({ "plan", "amount" }, { descending = { false, true } })
  T.eq(s.amount:to_table()[4], 3.5)
  T.eq(s.n:to_table(), { 3, 1, 3, 8, 4, 2, 5, 1, 5, 9, 5, 6 })
  T.eq(df:sort_by("user", { descending = true }).user:to_table()[1], "d")
end)

T.case("group_by:agg matches pandas", function()
  local g = df:group_by("user"):agg({
    count = { "count", "amount" }, sum = { "sum", "amount" }, mean = { "mean", "amount" },
    std = { "std", "amount" }, q25 = { "quantile", "amount", 0.25 }, size = "count", kinds = { "nunique", "plan" },
    first = { "first", "amount" }, hi = { "max", "amount" },
  })
  T.eq(g.user:to_table(), { "a", "b", "c", "d" })
  T.eq(g.count:to_table(), { 3, 3, 2, 2 })
  T.eq(g.sum:to_table(), { 18.0, 13.5, 10.75, 13.75 })
  T.eq(g.mean:to_table(), { 6.0, 4.5, 5.375, 6.875 })
  T.near(g.std:to_table(), { 4.5, 3.0413812651491097, 2.6516504294495533, 4.065863991822648 }, 1e-12)
  T.eq(g.q25:to_table(), { 3.75, 2.75, 4.4375, 5.4375 })
  T.eq(g.size:to_table(), { 4, 3, 3, 2 })
  T.eq(g.kinds:to_table(), { 2, 1, 1, 1 })
  T.eq(g.first:to_table(), { 10.5, 3.0, 7.25, 4.0 })
  T.eq(g.hi:to_table(), { 10.5, 8.0, 7.25, 9.75 })
  local g2 = df:group_by("user", "plan"):agg({ nsum = { "sum", "n" } })
  T.eq(g2.nsum:to_table(), { 10, 9, 11, 11, 11 })
  T.raises(function() df:group_by("user"):agg({ x = { "avg", "user" } }) end, "column 'user' is string, expected a numeric column for mean")
  T.raises(function() df:group_by("user"):agg({ x = { "mode", "n" } }) end, "unknown aggregate 'mode'")
end)

T.case("join, concat, pivot, distinct, dropna, fillna, sample", function()
  local right = cl.frame({ user = { "a", "b", "b", "e" }, region = { "N", "S", "W", "E" }, n = { 100, 200, 300, 400 } },
                         { names = { "user", "region", "n" } })
  local left = df:select("user", "plan")
  local j = left:join(right, { on = "user", how = "left" })
  T.eq(#j, 15)
  T.eq(j:names(), { "user", "plan", "region", "n" })
  T.eq(#df:join(right, { on = "user", how = "anti" }), 5)
  T.eq(df:join(right, { on = "user" }):names(), { "user", "plan", "amount", "n", "region", "n_right" })
  T.raises(function() df:join(right, { on = "user", how = "cross" }) end, "expected inner, left, outer, semi or anti")
  T.eq(#cl.concat({ df, df }), 24)
  T.eq(#df:concat(df, df), 36)
  local p = df:pivot({ index = "user", columns = "plan", values = "amount" })
  T.eq(p:names(), { "user", "1", "2", "3" })
  T.eq(p["1"]:to_table(), { 8.25, nil, 5.375, nil })
  T.eq(#df:distinct("user"), 4)
  T.eq(#df:dropna(), 10)
  T.eq(df:fillna({ amount = 0 }).amount:to_table()[3], 0.0)
  local a, b = df:sample({ n = 5, seed = 1 }), df:sample({ n = 5, seed = 1 })
  T.eq(a.n:to_table(), b.n:to_table())
  T.eq(#df:sample({ frac = 0.5, seed = 3 }), 6)
end)

T.case("splits: seeded, stratified, folds, time and group", function()
  local train, test = df:split({ test = 0.25, stratify = "user", seed = 42 })
  T.eq(#train + #test, 12)
  T.eq(#test, 3)
  local t2 = select(2, df:split({ test = 0.25, stratify = "user", seed = 42 }))
  T.eq(t2.n:to_table(), test.n:to_table())
  local seen = 0
  for i, tr, te in df:kfold({ k = 3, seed = 7 }) do
    T.eq(#tr + #te, 12)
    seen = seen + #te
  end
  T.eq(seen, 12)
  local gtr, gte = df:group_split({ group = "user", test = 0.5, seed = 1 })
  for _, u in ipairs(gte.user:to_table()) do
    T.eq(#gtr:filter(cl.col("user"):eq(u)), 0)
  end
  local ev = cl.frame({ t = { 1, 5, 9 } })
  local before, after = ev:time_split({ time = "t", cutoff = 5 })
  T.eq(before.t:to_table(), { 1 })
  T.eq(after.t:to_table(), { 5, 9 })
  T.raises(function() df:split({ tets = 0.2 }) end, "unknown option 'tets'; did you mean 'test'?")
end)

T.case("prep: scalers, encoders, imputer, clip, pipeline, json", function()
  local s = cl.prep.standard_scaler({ columns = { "n" } }):fit(df)
  local z = s:transform(df).n:to_table()
  local sum = 0
  for _, v in ipairs(z) do sum = sum + v end
  T.near(sum, 0, 1e-12)
  local mm = cl.prep.min_max_scaler({ columns = { "n" } }):fit_transform(df)
  T.eq(mm.n:to_table()[6], 1.0)
  local oh = cl.prep.one_hot({ columns = { "user" }, drop_first = true }):fit_transform(df)
  T.eq(oh:names(), { "user_b", "user_c", "user_d", "plan", "amount", "n" })
  local le = cl.prep.label_encoder({ columns = { "user" } }):fit_transform(df)
  T.eq(le.user:to_table()[4], 2)
  local imp = cl.prep.imputer({ strategy = "median", columns = { "amount" } }):fit_transform(df)
  T.eq(imp.amount:to_table()[3], 5.0)
  local clip = cl.prep.clip({ lower = 2, upper = 8, columns = { "n" } }):fit_transform(df)
  T.eq(clip.n:to_table()[6], 8.0)
  local pipe = cl.prep.pipeline({ cl.prep.imputer({ strategy = "mean", columns = { "amount" } }),
                                  cl.prep.standard_scaler({ columns = { "amount" } }) })
  T.raises(function() pipe:transform(df) end, "pipeline: transform called before fit")
  pipe:fit(df)
  local again = cl.prep.from_json(pipe:to_json())
  T.eq(again:transform(df).amount:to_table(), pipe:transform(df).amount:to_table())
  local strict = cl.prep.one_hot({ columns = { "user" }, unknown = "error" }):fit(df:filter(cl.col("user"):ne("d")))
  T.raises(function() strict:transform(df) end, "column 'user' row 8 has category 'd' not seen in fit")
  T.raises(function() cl.prep.imputer({ strategy = "mode" }) end, "expected mean, median, constant or most_frequent")
end)
