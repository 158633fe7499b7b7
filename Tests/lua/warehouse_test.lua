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

local dsn = os.getenv("CHURNLAB_TEST_PG_DSN")
if not dsn then
  print("warehouse_test: PostgreSQL cases skipped: CHURNLAB_TEST_PG_DSN is not set (scripts/test starts a throw-away cluster and sets it)")
  return
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
