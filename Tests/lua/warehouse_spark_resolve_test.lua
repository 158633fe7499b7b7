-- cl.source.spark reads what the table holds once per source: the column types (from the Parquet
-- footer, before Spark starts) and the event types are kept across calls and across a session restart
-- (only the views are registered again), and a misnamed column is named in the error without a JVM. Its own file: each source here starts a Spark JVM (tens of
-- seconds, more under load), beyond the per-file time limit if added to warehouse_spark_test.lua.
local T = cl.test
local home = os.getenv("CHURNLAB_TEST_SPARK_HOME")
if not home then
  local why = "CHURNLAB_TEST_SPARK_HOME is not set (scripts/test installs pyspark's Spark and sets it)"
  if os.getenv("CI") == "true" then
    T.case("Spark is available in CI", function() error("the Spark resolve tests cannot run: " .. why) end)
  else
    print("warehouse_spark_resolve_test: Spark cases skipped: " .. why)
  end
  return
end

local f = cl.frame({ user_id = { 1, 1, 2, 2 },
                     ts = { "2024-05-01 10:00:00", "2024-05-03 11:00:00", "2024-05-02 12:00:00", "2024-05-02 23:59:59" },
                     event = { "login", "buy", "login", "login" } }, { names = { "user_id", "ts", "event" } })
f = f:mutate { ts = f.ts:cast("timestamp") }
local path = os.tmpname() .. ".parquet"
f:write_parquet(path)

local function same(a, b, what)
  T.eq(a:names(), b:names(), what)
  for _, n in ipairs(b:names()) do T.eq(a[n]:to_table(), b[n]:to_table(), what .. " " .. n) end
end

T.case("Spark source: features after a session restart, the table read once", function()
  local src = cl.source.spark { path = path, master = "local[1]", spark_home = home }
  local log = cl.events(f)
  same(cl.features.build(src, { as_of = "2024-06-01" }), cl.features.build(log, { as_of = "2024-06-01" }), "features")
  src:close()
  T.ok(not src:running())
  -- The new session registers the view again; the probe and the event types read before are kept.
  same(cl.features.build(src, { as_of = "2024-05-03" }), cl.features.build(log, { as_of = "2024-05-03" }), "features after a restart")
  src:close()
end)

T.case("Spark source: a misnamed column is named in the error", function()
  local bad = cl.source.spark { path = path, master = "local[1]", spark_home = home, columns = { event = "kind" } }
  local ok, err = pcall(cl.features.build, bad, { as_of = "2024-06-01" })
  T.ok(not ok and err:find("event column 'kind' is not in table", 1, true), err)
  T.ok(not bad:running(), "the Parquet footer gave the columns: Spark was not started")
  bad:close()
end)

os.remove(path)
