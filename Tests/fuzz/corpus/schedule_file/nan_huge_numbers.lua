job{ name = "a", cron = "@daily", run = "x.lua", timeout = 0/0, backoff = -math.huge, memory_limit = 1e300 }
