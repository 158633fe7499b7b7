-- cl.source.spark: the compiled Spark SQL run on a real Spark (local mode) equals the
-- in-process builder — every feature family, labels, snapshots, and the boundaries (an event
-- exactly at as_of, empty windows, a user first seen after as_of). scripts/test installs
-- pyspark's Spark into .build/spark-venv and sets CHURNLAB_TEST_SPARK_HOME. One source, so
-- one Spark session (JVM start-up is tens of seconds) for every check.
local T = cl.test
local home = os.getenv("CHURNLAB_TEST_SPARK_HOME")

T.case("cl.source.spark: options checked before Spark starts", function()
  local ok, err = pcall(cl.source.spark, { path = "e.parquet", table = "t" })
  T.ok(not ok and err:find("exactly one of 'path' or 'table'", 1, true), err)
  ok, err = pcall(cl.source.spark, { path = "e.parquet", format = "xls" })
  T.ok(not ok and err:find("format", 1, true), err)
  ok, err = pcall(cl.source.spark, { path = "e.parquet", spark_home = "/nonexistent/spark" })
  T.ok(not ok and err:find("bin/spark-sql", 1, true), err)
  ok, err = pcall(cl.source.spark, { path = "e.parquet", master = "local[2] --evil" })
  T.ok(not ok and err:find("master", 1, true), err)
end)

if not home then
  local why = "CHURNLAB_TEST_SPARK_HOME is not set (scripts/test installs pyspark's Spark and sets it)"
  if os.getenv("CI") == "true" then
    T.case("Spark is available in CI", function() error("the Spark equality tests cannot run: " .. why) end)
  else
    print("warehouse_spark_test: Spark cases skipped: " .. why)
  end
  return
end

local function same(a, b, what)
  T.eq(a:names(), b:names(), what)
  T.eq(a:nrow(), b:nrow(), what)
  for _, n in ipairs(b:names()) do
    local x, y = a[n]:to_table(), b[n]:to_table()
    for i = 1, b:nrow() do
      if n:find("^amount") and type(y[i]) == "number" and type(x[i]) == "number" then
        -- sums of amounts are added in the engine's order
        T.ok(math.abs(x[i] - y[i]) <= 1e-9 * math.max(1, math.abs(y[i])), what .. " " .. n .. " row " .. i)
      elseif x[i] ~= y[i] then
        T.eq(x[i], y[i], what .. " " .. n .. " row " .. i)
      end
    end
  end
end

T.case("Spark source: features, labels, snapshots equal the in-process values", function()
  local sim = cl.simulate.platform { users = 1500, days = 200, start = "2024-01-01", seed = 11 }
  -- Boundaries: an event exactly at as_of (excluded from features, counts as a return for labels),
  -- a user whose only events are after as_of (no feature row), one event 90 days before as_of.
  local edge = cl.frame({
    user_id = { 900001, 900001, 900002, 900003 },
    ts = { "2024-06-01 00:00:00", "2024-05-31 23:59:59.999999", "2024-06-02 10:00:00", "2024-03-03 00:00:00" },
    event = { "login", "login", "login", "purchase" },
    amount = { cl.null, cl.null, cl.null, 12.5 },
  }, { names = { "user_id", "ts", "event", "amount" } })
  edge = edge:mutate { ts = edge.ts:cast("timestamp") }
  local events = cl.concat { sim.events, edge }
  -- Subscription boundaries (as_of 2024-06-01): 900001 a term ending exactly at as_of and its renewal starting
  -- then; 900002 whole calendar months Jan 31 → Feb 29 → Mar 31 and an open-ended term; 900003 a 41-day term
  -- renewed 5 days after its end (churn with grace 0, not 7), discount missing; 900004 terms without events.
  local terms = cl.frame({
    user_id = { 900001, 900001, 900002, 900002, 900002, 900003, 900003, 900004 },
    start = { "2024-05-01", "2024-06-01", "2024-01-31", "2024-02-29", "2024-04-05", "2024-05-10", "2024-06-25", "2024-05-15" },
    ["end"] = { "2024-06-01", "2024-07-01", "2024-02-29", "2024-03-31", cl.null, "2024-06-20", "2024-07-25", "2024-08-15" },
    plan = { "monthly", "annual", "monthly", "monthly", "annual", "monthly", "monthly", "annual" },
    price = { 10.0, 120.0, 10.0, 10.0, 99.0, 50.0, 50.0, 30.0 },
    auto_renew = { true, false, true, true, true, false, true, true },
    discount = { 0.0, 0.2, 0.0, 0.0, 0.1, cl.null, 0.0, 0.0 },
  }, { names = { "user_id", "start", "end", "plan", "price", "auto_renew", "discount" } })
  terms = terms:mutate { start = terms.start:cast("date"), ["end"] = terms["end"]:cast("date") }
  local subs = cl.concat { sim.subscriptions, terms }
  local path = os.tmpname() .. ".parquet"
  local spath = os.tmpname() .. ".parquet"
  events:write_parquet(path)
  subs:write_parquet(spath)
  local src = cl.source.spark { path = path, master = "local[2]", spark_home = home, subscriptions = spath,
                                conf = { ["spark.sql.shuffle.partitions"] = 4 } }
  T.ok(not tostring(src):find("/", 1, true), tostring(src))
  local log, sub = cl.events(events), cl.subscriptions(subs)
  local spec = { as_of = "2024-06-01", windows = { 7, 30, 90 } }
  local lspec = { as_of = "2024-06-01", windows = { 7, 30, 90 }, subscriptions = sub }
  local t0 = os.clock()
  local stages = {}
  same(cl.features.build(src, spec, { progress = function(p) stages[#stages + 1] = p.stage end }), cl.features.build(log, lspec), "features")
  T.ok(src:running())
  -- progress: the session start, the statement submitted, the Parquet result read back
  local seen = {}
  for _, st in ipairs(stages) do seen[st] = true end
  T.ok(seen.start and seen.submit and seen.reading, table.concat(stages, " "))
  T.eq(stages[#stages], "done")
  for _, lab in ipairs { { as_of = "2024-06-01", horizon = 30 }, { as_of = "2024-06-01", horizon = 30, grace_days = 7 },
                         { as_of = "2024-06-10", horizon = 60, censoring = "flag" } } do
    local r = cl.labels.churn(src, { as_of = lab.as_of, horizon = lab.horizon, grace_days = lab.grace_days,
                                     censoring = lab.censoring, definition = "subscription" })
    same(r, cl.labels.churn(sub, lab), "subscription labels " .. lab.as_of)
  end
  local so = { from = "2024-03-01", to = "2024-06-01", every = "4w", spec = { windows = { 7 } }, label = { horizon = 30 } }
  same(cl.features.snapshots(src, so), cl.features.snapshots(log, { from = so.from, to = so.to, every = so.every, spec = so.spec,
                                                                       label = so.label, subscriptions = sub }), "snapshots with subscriptions")
  local lab = { as_of = "2024-06-01", horizon = 30 }
  same(cl.labels.churn(src, lab), cl.labels.churn(log, lab), "labels")
  -- the log ends 2024-07-18: every label window from 2024-06-25 + 30 days is censored (churn null)
  local lab2 = { as_of = "2024-06-25", horizon = 30, active_within = 30, censoring = "flag" }
  local l2 = cl.labels.churn(src, lab2)
  T.ok(l2:nrow() > 0 and l2.censored:to_table()[1] == true, "censored rows")
  same(l2, cl.labels.churn(log, lab2), "labels (censored)")
  local lab3 = { as_of = "2024-06-01", horizon = 14, censoring = "exclude" }
  same(cl.labels.churn(src, lab3), cl.labels.churn(log, lab3), "labels (censored excluded)")
  local so2 = { from = "2024-04-01", to = "2024-06-01", every = "4w", spec = { windows = { 7, 30 }, families = { "activity", "gaps" } },
                label = { horizon = 14, definition = "inactivity" } }
  same(cl.features.snapshots(src, so2), cl.features.snapshots(log, so2), "snapshots")
  local ok, err = pcall(cl.features.build, src, { as_of = "2024-06-01", event_types = { "nosuchtype" } })
  T.ok(not ok and err:find("unknown event type 'nosuchtype'", 1, true), err)
  -- A statement Spark rejects: its message and the failing line, never the private scratch directory.
  ok, err = pcall(src.query, src, "SELECT user_id,\n       nosuchcol\nFROM churnlab_events")
  T.ok(not ok and err:find("UNRESOLVED_COLUMN", 1, true) and err:find("nosuchcol", 1, true), err)
  T.ok(not err:find("churnlab-spark-", 1, true), err)
  T.eq(src:query("SELECT count(*) AS n FROM churnlab_events").n:to_table()[1], events:nrow())
  src:close()
  T.ok(not src:running())
  os.remove(path); os.remove(spath)
end)
