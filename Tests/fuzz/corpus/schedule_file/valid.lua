job{ name = "nightly_rules", cron = "0 6 * * *", tz = "Europe/Berlin", rules = "rules.lua", users = "scored.csv",
     outbox = "out/{date}.csv", timeout = 600, memory_limit = 512, retries = 2, backoff = 30, catchup = "once" }
job{ name = "refresh", cron = "*/30 * * * *", run = "pipeline.lua", args = { "{date}", 3, 1.5 } }
job{ name = "raw", cron = "@daily", command = { "run", "--allow-path", "/data", "x.lua" }, sandbox = false }
