job{ name = "a", cron = "@daily", run = "x.lua", retries = math.maxinteger }
