job{ name = 5, cron = {}, run = true, args = { {}, print }, tz = 1 }
