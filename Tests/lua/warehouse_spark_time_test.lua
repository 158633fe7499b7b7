-- Spark: time columns held as ISO-8601 text or as integer epochs (s, ms, µs) give the in-process
-- values of the same events with a timestamp column — features (every family), labels, snapshots.
-- One Parquet file holds every representation; one source (one Spark JVM: tens of seconds under
-- load) reads the text column through cl.source.spark (the probe finds text), and the epoch columns
-- run as cl.features.sql / cl.labels.sql / snapshots_sql text (columns.time_unit) on the same session.
-- The simulator's times are whole seconds (checked), so every unit holds them exactly.
local T = cl.test
local home = os.getenv("CHURNLAB_TEST_SPARK_HOME")
if not home then
  local why = "CHURNLAB_TEST_SPARK_HOME is not set (scripts/test installs pyspark's Spark and sets it)"
  if os.getenv("CI") == "true" then
    T.case("Spark is available in CI", function() error("the Spark time-column tests cannot run: " .. why) end)
  else
    print("warehouse_spark_time_test: Spark cases skipped: " .. why)
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

T.case("Spark source: text and integer-epoch time columns equal the in-process values", function()
  local sim = cl.simulate.platform { users = 600, days = 150, start = "2024-01-01", seed = 13 }
  local ev = sim.events
  local us = ev.ts:cast("int")
  T.eq((us % 1000000):max(), 0)
  local txt = ev.ts:cast("string"):to_table()
  for i = 1, #txt, 2 do txt[i] = txt[i]:gsub(" ", "T") .. "Z" end   -- both ISO forms
  local f = cl.frame({ user_id = ev.user_id, ts_text = txt, ts_s = us // 1000000, ts_ms = us // 1000, ts_us = us,
                       event = ev.event, amount = ev.amount },
                     { names = { "user_id", "ts_text", "ts_s", "ts_ms", "ts_us", "event", "amount" } })
  local path = os.tmpname() .. ".parquet"
  f:write_parquet(path)
  local log = cl.events(ev)
  local spec = { as_of = "2024-05-01", windows = { 7, 30, 90 } }
  local lab = { as_of = "2024-04-01", horizon = 30 }
  local so = { from = "2024-03-01", to = "2024-05-01", every = "4w", spec = { windows = { 7, 30 } }, label = { horizon = 14 } }
  local want_f, want_l, want_s = cl.features.build(log, spec), cl.labels.churn(log, lab), cl.features.snapshots(log, so)

  local src = cl.source.spark { path = path, master = "local[2]", spark_home = home, columns = { time = "ts_text" } }
  same(cl.features.build(src, spec), want_f, "text features")
  same(cl.labels.churn(src, lab), want_l, "text labels")
  same(cl.features.snapshots(src, so), want_s, "text snapshots")
  T.ok(cl.features.build_sql(src, spec):find("unix_micros(to_timestamp(`ts_text`)) AS us", 1, true))

  local types = {}
  for _, t in ipairs(log:types()) do types[#types + 1] = t end
  table.sort(types)
  local fspec = { as_of = spec.as_of, windows = spec.windows, event_types = types }
  local sspec = { from = so.from, to = so.to, every = so.every, spec = { windows = so.spec.windows, event_types = types }, label = so.label }
  for _, unit in ipairs { "s", "ms", "us" } do
    local wh = { dialect = "spark", events = "churnlab_events", columns = { time = "ts_" .. unit, time_unit = unit, amount = "amount" } }
    same(src:query(cl.features.sql(fspec, wh)), want_f, unit .. " features")
    same(src:query(cl.labels.sql(lab, wh)), want_l, unit .. " labels")
    same(src:query(cl.features.snapshots_sql(sspec, wh)), want_s, unit .. " snapshots")
  end
  -- The unit's values are checked before Spark starts; an integer column without a unit, and a unit on a
  -- text column, are errors from the Parquet footer (the source's Spark never starts).
  local ok, err = pcall(cl.source.spark, { path = path, master = "local[2]", spark_home = home, columns = { time = "ts_s", time_unit = "h" } })
  T.ok(not ok and err:find("columns.time_unit", 1, true) and err:find("'h'", 1, true), err)
  for _, c in ipairs { { time = "ts_s" }, { time = "ts_text", time_unit = "ms" } } do
    local bad = cl.source.spark { path = path, master = "local[2]", spark_home = home, columns = c }
    ok, err = pcall(cl.features.build, bad, spec)
    T.ok(not ok and err:find("columns.time_unit", 1, true), err)
    T.ok(not bad:running())
  end
  src:close()
  os.remove(path)
end)
