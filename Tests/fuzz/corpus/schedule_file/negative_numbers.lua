job{ name = "a", cron = "@daily", run = "x.lua", timeout = -5, retries = -1.5 }
