-- A schedule for `churnlab schedule scripts/examples/schedule.lua --ledger /tmp/churnlab.db`.
-- Paths are relative to this file; {date} is the occurrence's local date.
job{ name = "daily_rules", cron = "0 6 * * mon-fri", tz = "Europe/Berlin",
     rules = "retention_rules.lua", users = "data/scored_users.csv", outbox = "/tmp/outbox-{date}.csv",
     timeout = 600, memory_limit = 512, retries = 2, backoff = 30, catchup = "once" }

job{ name = "hello", cron = "*/30 * * * *", run = "hello.lua", timeout = 60, memory_limit = 64 }
