-- Small helpers shared by the Lua sides of the benchmarks (require "bench_util"
-- from a script in scripts/bench/: `churnlab run` puts the script's folder on
-- package.path). Figures come from the process itself (/proc), as the peers'
-- scripts take theirs from psutil/resource.
local M = {}

--- Peak resident memory (VmHWM) of this process, in MB.
function M.peak_mb()
  local f = assert(io.open("/proc/self/status"))
  local kb = tonumber(f:read("a"):match("VmHWM:%s*(%d+)"))
  f:close()
  return kb / 1024
end

--- Restarts the peak (VmHWM) from the current resident size (Linux:
--- "5" to /proc/self/clear_refs), so a later peak_mb() is the peak of what follows.
function M.reset_peak()
  local f = assert(io.open("/proc/self/clear_refs", "w"))
  f:write("5")
  f:close()
end

--- CPU seconds (user + system, all threads) this process has used so far.
function M.cpu_s()
  local f = assert(io.open("/proc/self/stat"))
  local s = f:read("a")
  f:close()
  -- Fields after the command name (which may hold spaces) start at field 3;
  -- utime and stime are fields 14 and 15, in clock ticks (USER_HZ = 100 on Linux).
  local rest = s:match("%) (.*)$")
  local fields = {}
  for w in rest:gmatch("%S+") do fields[#fields + 1] = w end
  return (tonumber(fields[12]) + tonumber(fields[13])) / 100
end

--- Seconds `fn` takes, and what it returns (one run).
function M.time(fn)
  local t0 = cl.clock()
  local r = fn()
  return cl.clock() - t0, r
end

--- Fastest of `n` runs of `fn`: seconds and the last run's result.
function M.best_of(n, fn)
  local best, r = math.huge, nil
  for _ = 1, n do
    local t0 = cl.clock()
    r = fn()
    best = math.min(best, cl.clock() - t0)
  end
  return best, r
end

local function encode(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v)
  elseif math.type(v) == "integer" then return tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return string.format("%.17g", v)
  elseif t == "boolean" then return tostring(v)
  end
  error("bench_util.emit: cannot encode a " .. t)
end

--- Prints `BENCH {json}` with the keys sorted (the line scripts/bench/all parses).
function M.emit(fields)
  local keys = {}
  for k in pairs(fields) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = string.format("%q: %s", k, encode(fields[k])) end
  print("BENCH {" .. table.concat(parts, ", ") .. "}")
end

return M
