-- cl.features.sql / snapshots_sql / cl.labels.sql (the spec → SQL compiler), and, when
-- scripts/test has started its throw-away PostgreSQL (CHURNLAB_TEST_PG_DSN), cl.read_postgres,
-- df:write_postgres and cl.source.postgres checked against the in-process builder.
local T = cl.test
local wh = { dialect = "postgres", events = "public.events", columns = { user = "user_id", time = "ts", event = "event" } }

T.case("cl.features.sql: one CTE per family, deterministic, options named in errors", function()
  local spec = { as_of = "2024-06-01", windows = { 7, 30 }, event_types = { "login" } }
  local a = cl.features.sql(spec, wh)
  T.eq(a, cl.features.sql(spec, wh))
  for _, cte in ipairs { "-- activity:", "-- types:", "-- recency:", "-- tenure:", "-- trend:", "-- gaps:", "-- sessions:", "-- weekend:" } do
    T.ok(a:find(cte, 1, true), cte)
  end
  T.ok(a:find('count(*) FILTER (WHERE us >= as_of - 604800000000) AS "events_7d"', 1, true))
  local s = cl.features.sql(spec, { dialect = "spark", events = "db.events" })
  T.ok(s:find("count_if(", 1, true) and s:find("`db`.`events`", 1, true))
  local ok, err = pcall(cl.features.sql, { as_of = "2024-06-01" }, wh)
  T.ok(not ok and err:find("event_types", 1, true), err)
  ok, err = pcall(cl.features.sql, spec, { dialect = "oracle", events = "e" })
  T.ok(not ok and err:find("dialect", 1, true), err)
  ok, err = pcall(cl.labels.sql, { as_of = "2024-06-01", definition = "subscription" }, wh)
  T.ok(not ok and err:find("subscription", 1, true), err)
  T.ok(cl.labels.sql({ as_of = "2024-06-01", horizon = 14 }, wh):find("1209600000000", 1, true))   -- 14 days in µs
  local snap = cl.features.snapshots_sql({ from = "2024-05-01", to = "2024-06-01", every = "2w", spec = { event_types = { "login" } },
                                          label = { horizon = 14 } }, wh)
  T.ok(snap:find("JOIN labels USING", 1, true))
end)

T.case("hostile names stay inside their quotes", function()
  local q = cl.features.sql({ as_of = "2024-06-01", families = { "types" }, event_types = { "x'; DROP TABLE t; --" } },
                            { events = 'a"b.c', columns = { user = 'u"; DELETE FROM x; --' } })
  T.ok(q:find('"a""b"."c"', 1, true), q)
  T.ok(q:find([["u""; DELETE FROM x; --"]], 1, true))
  T.ok(q:find([[typ = 'x''; DROP TABLE t; --']], 1, true))
end)

T.case("cl.features.sql: integer epochs in both dialects", function()
  local spec = { as_of = "2024-06-01", windows = { 7 }, event_types = { "login" } }
  local pg = cl.features.sql(spec, { events = "e", columns = { time_unit = "ms" } })
  T.ok(pg:find('"ts" AS t', 1, true) and pg:find("CAST(1717200000000 AS bigint)", 1, true), pg)   -- 2024-06-01 in ms
  local sp = cl.features.sql(spec, { dialect = "spark", events = "e", columns = { time_unit = "s" } })
  T.ok(sp:find("unix_micros(timestamp_seconds(CAST(`ts` AS BIGINT))) AS us", 1, true), sp)
  sp = cl.features.sql(spec, { dialect = "spark", events = "e", columns = { time_unit = "ms" } })
  T.ok(sp:find("unix_micros(timestamp_millis(CAST(`ts` AS BIGINT))) AS us", 1, true), sp)
end)

local dsn = os.getenv("CHURNLAB_TEST_PG_DSN")
if not dsn then
  local why = "CHURNLAB_TEST_PG_DSN is not set (scripts/test starts a throw-away cluster and sets it)"
  if os.getenv("CI") == "true" then
    T.case("PostgreSQL is available in CI", function() error("the PostgreSQL equality tests cannot run: " .. why) end)
  else
    print("warehouse_test: PostgreSQL cases skipped: " .. why)
  end
  return
end

local function has(f, name)
  for _, n in ipairs(f:names()) do if n == name then return true end end
  return false
end

local function same(a, b, what)
  T.eq(a:names(), b:names(), what)
  T.eq(a:nrow(), b:nrow(), what)
  for _, n in ipairs(b:names()) do
    local x, y = a[n]:to_table(), b[n]:to_table()
    for i = 1, b:nrow() do
      if n:find("^amount") and type(y[i]) == "number" then
        T.ok(math.abs(x[i] - y[i]) <= 1e-9 * math.max(1, math.abs(y[i])), what .. " " .. n .. " row " .. i)
      elseif x[i] ~= y[i] then
        T.eq(x[i], y[i], what .. " " .. n .. " row " .. i)
      end
    end
  end
end

T.case("PostgreSQL source: features, labels, snapshots equal the in-process values", function()
  local sim = cl.simulate.platform { users = 1500, days = 200, start = "2024-01-01", seed = 11 }
  sim.events:write_postgres { dsn = dsn, table = "lua_events", mode = "replace" }
  local src = cl.source.postgres { dsn = dsn, table = "lua_events" }
  T.ok(not tostring(src):find(dsn, 1, true))
  local log = cl.events(sim.events)
  local spec = { as_of = "2024-06-01", windows = { 7, 30, 90 } }
  same(cl.features.build(src, spec), cl.features.build(log, spec), "features")
  local lab = { as_of = "2024-06-01", horizon = 30 }
  same(cl.labels.churn(src, lab), cl.labels.churn(log, lab), "labels")
  local so = { from = "2024-04-01", to = "2024-06-01", every = "4w", spec = { windows = { 7, 30 } }, label = { horizon = 14 } }
  same(cl.features.snapshots(src, so), cl.features.snapshots(log, so), "snapshots")
end)

T.case("PostgreSQL source: the tables are read once while their stamp holds; new rows with a new type are seen", function()
  local sim = cl.simulate.platform { users = 600, days = 120, start = "2024-01-01", seed = 7 }
  cl.read_postgres { dsn = dsn, query = "DROP VIEW IF EXISTS lua_cache_v" }   -- left by an earlier run: it pins the table
  sim.events:write_postgres { dsn = dsn, table = "lua_cache", mode = "replace" }
  local src = cl.source.postgres { dsn = dsn, table = "lua_cache" }
  local spec = { as_of = "2024-04-01", windows = { 7, 30 } }
  same(cl.features.build(src, spec), cl.features.build(cl.events(sim.events), spec), "first build")
  local t = src:timings()
  T.eq({ t.probes, t.type_scans, t.reused }, { 1, 1, 0 })
  T.ok(t.probe_seconds > 0 and t.stamp_seconds > 0, "first call probes")
  same(cl.features.build(src, spec), cl.features.build(cl.events(sim.events), spec), "second build")
  t = src:timings()
  T.eq({ t.probes, t.type_scans, t.reused, t.probe_seconds }, { 1, 1, 1, 0 })
  T.eq(cl.labels.churn(src, { as_of = "2024-03-01" }):nrow(), cl.labels.churn(cl.events(sim.events), { as_of = "2024-03-01" }):nrow())
  T.eq(src:timings().probes, 1)
  -- Rows with an event type the table did not have: the stamp changes (n_tup_ins), the types are read again.
  local extra = cl.frame({ user_id = { 1, 2, 2 }, ts = { "2024-03-30 10:00:00", "2024-03-31 23:59:59", "2024-03-02 00:00:00" },
                           event = { "upgrade", "upgrade", "login" }, amount = { cl.null, 4.5, cl.null } },
                         { names = { "user_id", "ts", "event", "amount" } })
  extra = extra:mutate { ts = extra.ts:cast("timestamp") }
  extra:write_postgres { dsn = dsn, table = "lua_cache", mode = "append" }
  local all = cl.events(cl.concat { sim.events, extra })
  local f = cl.features.build(src, spec)
  T.ok(has(f, "upgrade_7d") and has(f, "recency_upgrade_days"), "the new type's columns")
  same(f, cl.features.build(all, spec), "after the append")
  t = src:timings()
  T.eq({ t.probes, t.type_scans }, { 2, 2 })
  -- A column added to the table changes the stamp too; refresh() forces a probe without a change.
  cl.read_postgres { dsn = dsn, query = "ALTER TABLE lua_cache ADD COLUMN note text" }
  same(cl.features.build(src, spec), cl.features.build(all, spec), "after ALTER TABLE")
  T.eq(src:timings().probes, 3)
  cl.features.build(src, spec)
  T.eq(src:timings().probes, 3)
  src:refresh()
  same(cl.features.build(src, spec), cl.features.build(all, spec), "after refresh()")
  T.eq({ src:timings().probes, src:timings().type_scans }, { 4, 4 })
  -- A view has no stamp: it is read on every call (never stale).
  cl.read_postgres { dsn = dsn, query = "CREATE OR REPLACE VIEW lua_cache_v AS SELECT user_id, ts, event, amount FROM lua_cache" }
  local v = cl.source.postgres { dsn = dsn, table = "lua_cache_v" }
  same(cl.features.build(v, spec), cl.features.build(all, spec), "view")
  same(cl.features.build(v, spec), cl.features.build(all, spec), "view again")
  T.eq({ v:timings().probes, v:timings().reused }, { 2, 0 })
end)

-- The same events with the time held as ISO-8601 text (both the space and the "T…Z" forms) and as integer
-- epochs in s, ms and µs: features (every family), labels and snapshots equal the in-process values of the
-- timestamp log. The simulator's times are whole seconds (checked), so every unit holds them exactly.
T.case("PostgreSQL source: text and integer-epoch time columns equal the in-process values", function()
  local sim = cl.simulate.platform { users = 800, days = 150, start = "2024-01-01", seed = 13 }
  local ev = sim.events
  local us = ev.ts:cast("int")
  T.eq((us % 1000000):max(), 0)
  local log = cl.events(ev)
  local spec = { as_of = "2024-05-01", windows = { 7, 30, 90 } }
  local lab = { as_of = "2024-04-01", horizon = 30 }
  local so = { from = "2024-03-01", to = "2024-05-01", every = "4w", spec = { windows = { 7, 30 } }, label = { horizon = 14 } }
  local want_f, want_l, want_s = cl.features.build(log, spec), cl.labels.churn(log, lab), cl.features.snapshots(log, so)
  local function with_time(t)
    return cl.frame({ user_id = ev.user_id, ts = t, event = ev.event, amount = ev.amount }, { names = { "user_id", "ts", "event", "amount" } })
  end
  local function check(name, frame, columns, marks)
    frame:write_postgres { dsn = dsn, table = name, mode = "replace" }
    local src = cl.source.postgres { dsn = dsn, table = name, columns = columns }
    same(cl.features.build(src, spec), want_f, name .. " features")
    same(cl.labels.churn(src, lab), want_l, name .. " labels")
    same(cl.features.snapshots(src, so), want_s, name .. " snapshots")
    local text = cl.features.build_sql(src, spec)
    for _, m in ipairs(marks) do T.ok(text:find(m, 1, true), name .. ": " .. m) end
  end
  local txt = ev.ts:cast("string"):to_table()
  for i = 1, #txt, 2 do txt[i] = txt[i]:gsub(" ", "T") .. "Z" end
  T.ok(txt[1]:find("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"), txt[1])
  check("lua_time_text", with_time(txt), nil, { "CAST(\"ts\" AS timestamp) AS t", "OFFSET 0" })
  -- 2024-05-01 is 1714521600 s; bounds in the column's unit
  check("lua_time_s", with_time(us // 1000000), { time_unit = "s" }, { "CAST(1714521600 AS bigint)", '"ts" AS t' })
  check("lua_time_ms", with_time(us // 1000), { time_unit = "ms" }, { "CAST(1714521600000 AS bigint)" })
  check("lua_time_us", with_time(us), { time_unit = "us" }, { "CAST(1714521600000000 AS bigint)" })
  -- An integer column needs its unit; the unit fits only an integer column; the option's values are checked.
  local ok, err = pcall(cl.features.build, cl.source.postgres { dsn = dsn, table = "lua_time_s" }, spec)
  T.ok(not ok and err:find("columns.time_unit", 1, true) and err:find("holds integers", 1, true), err)
  ok, err = pcall(cl.features.build, cl.source.postgres { dsn = dsn, table = "lua_time_text", columns = { time_unit = "s" } }, spec)
  T.ok(not ok and err:find("columns.time_unit applies to an integer epoch", 1, true), err)
  ok, err = pcall(cl.source.postgres, { dsn = dsn, table = "lua_time_s", columns = { time_unit = "h" } })
  T.ok(not ok and err:find("columns.time_unit", 1, true) and err:find("'h'", 1, true), err)
  ok, err = pcall(cl.features.sql, spec, { events = "e", columns = { time_unit = "sec" } })
  T.ok(not ok and err:find("columns.time_unit", 1, true), err)
end)

T.case("cl.read_postgres binds parameters; write modes", function()
  local f = cl.read_postgres { dsn = dsn, query = "SELECT $1::text AS s, $2::bigint * 2 AS n", params = { "a'; DROP TABLE x; --", 21 } }
  T.eq(f.s:to_table(), { "a'; DROP TABLE x; --" })
  T.eq(f.n:to_table(), { 42 })
  local df = cl.frame({ id = { 1, 2 }, name = { "x", cl.null } }, { names = { "id", "name" } })
  df:write_postgres { dsn = dsn, table = "lua_small", mode = "replace" }
  df:write_postgres { dsn = dsn, table = "lua_small", mode = "append" }
  T.eq(cl.read_postgres { dsn = dsn, table = "lua_small" }:nrow(), 4)
  local ok, err = pcall(df.write_postgres, df, { dsn = dsn, table = "lua_small", mode = "create" })
  T.ok(not ok and err:find("already exists", 1, true), err)
  ok, err = pcall(cl.read_postgres, { dsn = dsn .. " password=hunter2secret", query = "SELECT 1" })
  T.ok(not ok and err:find("must not contain a password", 1, true) and not err:find("hunter2secret", 1, true), err)
end)

-- Subscription boundaries (as_of 2024-06-01): 900001 a term ending exactly at as_of and its renewal starting
-- exactly then (running); 900002 whole calendar months Jan 31 → Feb 29 → Mar 31 then an open-ended term (null
-- end: days_to_renewal null, MRR = price); 900003 a 41-day term (MRR per 30.4375 days) renewed 5 days after it
-- ends (churn with grace 0, not with grace 7), discount missing; 900004 terms but no events (a label row, no
-- feature row); 900005 events but no terms (subscribed 0, plan null).

local function edge_subscriptions(sim)
  local subs = cl.frame({
    user_id = { 900001, 900001, 900002, 900002, 900002, 900003, 900003, 900004 },
    start = { "2024-05-01", "2024-06-01", "2024-01-31", "2024-02-29", "2024-04-05", "2024-05-10", "2024-06-25", "2024-05-15" },
    ["end"] = { "2024-06-01", "2024-07-01", "2024-02-29", "2024-03-31", cl.null, "2024-06-20", "2024-07-25", "2024-08-15" },
    plan = { "monthly", "annual", "monthly", "monthly", "annual", "monthly", "monthly", "annual" },
    price = { 10.0, 120.0, 10.0, 10.0, 99.0, 50.0, 50.0, 30.0 },
    auto_renew = { true, false, true, true, true, false, true, true },
    discount = { 0.0, 0.2, 0.0, 0.0, 0.1, cl.null, 0.0, 0.0 },
  }, { names = { "user_id", "start", "end", "plan", "price", "auto_renew", "discount" } })
  subs = subs:mutate { start = subs.start:cast("date"), ["end"] = subs["end"]:cast("date") }
  local ev = cl.frame({ user_id = { 900001, 900002, 900003, 900005 },
                        ts = { "2024-05-20 08:00:00", "2024-05-20 08:00:00", "2024-05-20 08:00:00", "2024-05-20 08:00:00" },
                        event = { "login", "login", "login", "login" }, amount = { cl.null, cl.null, cl.null, 1.5 } },
                      { names = { "user_id", "ts", "event", "amount" } })
  ev = ev:mutate { ts = ev.ts:cast("timestamp") }
  return cl.concat { sim.events, ev }, cl.concat { sim.subscriptions, subs }
end

T.case("PostgreSQL source: subscription features and labels equal the in-process values, boundaries included", function()
  local sim = cl.simulate.platform { users = 1500, days = 200, start = "2024-01-01", seed = 11 }
  local events, subs = edge_subscriptions(sim)
  events:write_postgres { dsn = dsn, table = "lua_sub_events", mode = "replace" }
  subs:write_postgres { dsn = dsn, table = "lua_subs", mode = "replace" }
  local src = cl.source.postgres { dsn = dsn, table = "lua_sub_events", subscriptions = "lua_subs" }
  local log, terms = cl.events(events), cl.subscriptions(subs)
  for _, as_of in ipairs { "2024-03-15", "2024-06-01" } do
    local remote = cl.features.build(src, { as_of = as_of, windows = { 7, 30 } })
    local localf = cl.features.build(log, { as_of = as_of, windows = { 7, 30 }, subscriptions = terms })
    T.ok(has(remote, "mrr") and has(remote, "auto_renew_off") and has(remote, "discount"), "subscription columns")
    same(remote, localf, "features with subscriptions " .. as_of)
  end
  local f = cl.features.build(src, { as_of = "2024-06-01", families = { "subscription", "tenure" } })
  same(f, cl.features.build(log, { as_of = "2024-06-01", families = { "subscription", "tenure" }, subscriptions = terms }), "subscription only")
  local row = {}
  for i, u in ipairs(f.user_id:to_table()) do row[u] = i end
  T.eq(f.subscribed:to_table()[row[900001]], 1)                 -- the renewal starting at as_of runs
  T.eq(f.renewals:to_table()[row[900001]], 1)
  T.eq(f.days_to_renewal:to_table()[row[900002]], nil)           -- open-ended
  T.eq(f.mrr:to_table()[row[900002]], 99)
  T.eq(f.plan:to_table()[row[900005]], nil); T.eq(f.subscribed:to_table()[row[900005]], 0)
  T.eq(row[900004], nil)
  for _, lab in ipairs { { as_of = "2024-06-01", horizon = 30 }, { as_of = "2024-06-01", horizon = 30, grace_days = 7 },
                         { as_of = "2024-06-10", horizon = 60, censoring = "flag" },
                         { as_of = "2024-03-15", horizon = 14, data_end = "2024-05-01" } } do
    local r = cl.labels.churn(src, { as_of = lab.as_of, horizon = lab.horizon, grace_days = lab.grace_days, censoring = lab.censoring,
                                     data_end = lab.data_end, definition = "subscription" })
    same(r, cl.labels.churn(terms, lab), "subscription labels " .. lab.as_of .. " grace " .. tostring(lab.grace_days))
  end
  local l0 = cl.labels.churn(src, { as_of = "2024-06-01", horizon = 30, definition = "subscription" })
  local l7 = cl.labels.churn(src, { as_of = "2024-06-01", horizon = 30, grace_days = 7, definition = "subscription" })
  local function churn_of(l, u) for i, x in ipairs(l.user_id:to_table()) do if x == u then return l.churn:to_table()[i] end end end
  T.eq(churn_of(l0, 900003), 1); T.eq(churn_of(l7, 900003), 0); T.eq(churn_of(l0, 900004), 0)
  -- snapshots: with a subscriptions table the label defaults to the subscription definition, as in process
  local so = { from = "2024-03-01", to = "2024-06-01", every = "4w", spec = { windows = { 7, 30 } }, label = { horizon = 30 } }
  same(cl.features.snapshots(src, so), cl.features.snapshots(log, { from = so.from, to = so.to, every = so.every, spec = so.spec,
                                                                       label = so.label, subscriptions = terms }), "snapshots with subscriptions")
  -- price_period = 'month': the price is the MRR
  local m = cl.source.postgres { dsn = dsn, table = "lua_sub_events", subscriptions = { table = "lua_subs", price_period = "month" } }
  same(cl.features.build(m, { as_of = "2024-06-01", families = { "subscription" } }),
       cl.features.build(log, { as_of = "2024-06-01", families = { "subscription" },
                                subscriptions = cl.subscriptions(subs, { price_period = "month" }) }), "price_period month")
  local ok, err = pcall(cl.features.build, src, { as_of = "2024-06-01", subscriptions = terms })
  T.ok(not ok and err:find("subscriptions = 'table'", 1, true), err)
end)

T.case("PostgreSQL source: progress stages reach a Lua callback; an error in it stops the query", function()
  local sim = cl.simulate.platform { users = 800, days = 120, start = "2024-01-01", seed = 5 }
  sim.events:write_postgres { dsn = dsn, table = "lua_progress", mode = "replace" }
  local src = cl.source.postgres { dsn = dsn, table = "lua_progress" }
  local seen = {}
  local f = cl.features.build(src, { as_of = "2024-04-01" }, { progress = function(p)
    seen[#seen + 1] = p
    T.eq(p.engine, "postgres")
  end })
  local stages = {}   -- "running" heartbeats (once a second while the server computes) left out: they depend on load
  for _, p in ipairs(seen) do if p.stage ~= "running" then stages[#stages + 1] = p end end
  T.eq(stages[1].stage, "connect")
  T.eq(stages[2].stage, "query")
  T.eq(stages[3].stage, "receiving"); T.eq(stages[3].rows, 1)
  T.eq(stages[#stages].stage, "done"); T.eq(stages[#stages].rows, f:nrow())
  for i = 2, #seen do T.ok(seen[i].seconds >= seen[i - 1].seconds and seen[i].rows >= seen[i - 1].rows, "monotone") end
  local ok, err = pcall(cl.features.build, src, { as_of = "2024-04-01" }, { progress = function(p)
    if p.stage == "receiving" then error("stop at the first row") end
  end })
  T.ok(not ok and err:find("stop at the first row", 1, true), err)
  T.eq(cl.labels.churn(src, { as_of = "2024-03-01" }, { progress = true }):nrow(), cl.labels.churn(cl.events(sim.events), { as_of = "2024-03-01" }):nrow())
  ok, err = pcall(cl.features.build, src, { as_of = "2024-04-01" }, { progress = 3 })
  T.ok(not ok and err:find("progress", 1, true), err)
end)
