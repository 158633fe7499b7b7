-- warehouse_pipeline.lua — the same churn pipeline with the event log in three places:
--   source=local     the log in memory (cl.events)
--   source=postgres  the log in a PostgreSQL table (cl.source.postgres): the spec compiles to SQL run in the server
--   source=spark     the log as Parquet read by Spark (cl.source.spark): the spec compiles to Spark SQL
-- Features (subscription features included: the terms live next to the events) and labels over 28-day
-- observation dates → time split → gradient boosting → scores.
-- The three sources give the same features, labels, model and scores (sums of amounts agree to ~1e-12).
--
-- Usage: churnlab run scripts/examples/warehouse_pipeline.lua -p source=local|postgres|spark [-p users=3000] [-p out=out/warehouse]
--   postgres: -p dsn='host=… dbname=…' (or CHURNLAB_TEST_PG_DSN; password from PGPASSWORD / ~/.pgpass, never the dsn)
--   spark:    SPARK_HOME (or -p spark_home=…), -p master=local[2] | spark://host:7077
-- Writes OUT/scores_<source>.csv and OUT/manifest_<source>.json (engine, the compiled SQL's SHA-256, counts, AUC);
-- `churnlab run --manifest m.json` records the engine and SQL hash of every feature build too (engine_runs).
local p = cl.params {
  source = { default = "local", type = "string", help = "local | postgres | spark" },
  users = { default = 3000, type = "int", help = "simulated users" },
  out = { default = "out/warehouse", type = "string", help = "output directory" },
  dsn = { default = "", type = "string", help = "PostgreSQL dsn without password (default CHURNLAB_TEST_PG_DSN)" },
  spark_home = { default = "", type = "string", help = "Spark installation (default SPARK_HOME)" },
  master = { default = "local[2]", type = "string", help = "Spark master" },
}
assert(p.source == "local" or p.source == "postgres" or p.source == "spark", "source must be local, postgres or spark")
os.execute(("mkdir -p %q"):format(p.out))
local t0 = cl.clock()

local sim = cl.simulate.platform { users = p.users, days = 365, start = "2024-01-01", seed = 7 }
local log = cl.events(sim.events)
-- Event types listed in the spec: the compiled SQL (and its hash) then does not depend on a look at the table.
local types = log:types()
table.sort(types)
local spec = { windows = { 7, 30, 90 }, event_types = types }
local opts = { from = "2024-03-01", to = "2024-12-01", every = "28d", spec = spec,
               label = { horizon = 30, active_within = 30, definition = "inactivity" } }
-- The terms' optional columns named, so the SQL shown (and hashed) is the SQL the source runs.
local subs_columns = { auto_renew = "auto_renew", discount = "discount" }

local events, engine, sql = log, "in-process", nil
local run_opts = {}
if p.source == "postgres" then
  local dsn = p.dsn ~= "" and p.dsn or os.getenv("CHURNLAB_TEST_PG_DSN")
  assert(dsn, "give -p dsn=… or set CHURNLAB_TEST_PG_DSN")
  sim.events:write_postgres { dsn = dsn, table = "warehouse_events", mode = "replace" }
  sim.subscriptions:write_postgres { dsn = dsn, table = "warehouse_subscriptions", mode = "replace" }
  local subs = { table = "warehouse_subscriptions", columns = subs_columns }
  events, engine = cl.source.postgres { dsn = dsn, table = "warehouse_events", subscriptions = subs }, "postgres"
  sql = { cl.features.snapshots_sql(opts, { dialect = "postgres", events = "warehouse_events", columns = { amount = "amount" },
                                            subscriptions = subs }) }
  run_opts.progress = true
elseif p.source == "spark" then
  local path, spath = p.out .. "/events.parquet", p.out .. "/subscriptions.parquet"
  sim.events:write_parquet(path)
  sim.subscriptions:write_parquet(spath)
  events = cl.source.spark { path = path, master = p.master, spark_home = p.spark_home ~= "" and p.spark_home or nil,
                             subscriptions = { path = spath, columns = subs_columns } }
  engine = "spark " .. p.master
  sql = { cl.features.snapshots_sql(opts, { dialect = "spark", events = "churnlab_events", columns = { amount = "amount" },
                                            subscriptions = { table = "churnlab_subscriptions", columns = subs_columns } }) }
  run_opts.progress = true
else
  opts.subscriptions = cl.subscriptions(sim.subscriptions)
end

local data = cl.features.snapshots(events, opts, run_opts)
local labelled = data:filter(cl.col("censored"):eq(false))
cl.printf("%s: %d rows × %d columns; churn rate %.4f\n", engine, #data, data:ncol(), labelled.churn:mean())
local train, test = labelled:time_split { time = "as_of", cutoff = "2024-09-01" }
local exclude = { "user_id", "as_of", "churn", "censored" }
local gbdt = cl.model.gbdt { trees = 200, learning_rate = 0.05, leaves = 31, seed = 7 }
gbdt:fit(train, { target = "churn", exclude = exclude })
local score = gbdt:predict_proba(test)
local auc = cl.metrics.auc(test.churn, score)
cl.printf("gradient boosting: train %d, test %d, test AUC %.4f\n", #train, #test, auc)
test:select("user_id", "as_of"):mutate { score = score }:write_csv(p.out .. "/scores_" .. p.source .. ".csv")
if p.source == "spark" then events:close() end

local f = io.open(p.out .. "/manifest_" .. p.source .. ".json", "w")
f:write(string.format('{"source": "%s", "engine": "%s", "sql_sha256": %s, "rows": %d, "columns": %d, "test_auc": %.10f, "seconds": %.2f}\n',
  p.source, engine, sql and ('"' .. sql[2] .. '"') or "null", #data, data:ncol(), auc, cl.clock() - t0))
f:close()
cl.printf("wrote %s/scores_%s.csv and manifest_%s.json\n", p.out, p.source, p.source)
