-- Cost of calling a Swift function from a Lua loop, against a plain C function
-- registered with lua_pushcfunction. Both compute x + 1 from a checked number
-- argument. Run with a release build: scripts/bench/call_overhead.sh
local N = tonumber(arg and arg[1]) or 20000000
local REPEATS = 5

local c_add1, swift_add1 = cl._bench.c_add1, cl._bench.swift_add1
local function lua_add1(x) return x + 1 end

local function measure(f)
  local best = math.huge
  for _ = 1, REPEATS do
    local x = 0
    local t0 = cl.clock()
    for _ = 1, N do x = f(x) end
    local dt = cl.clock() - t0
    assert(x == N)
    if dt < best then best = dt end
  end
  return best / N * 1e9
end

measure(swift_add1) -- warm up
local lua_ns = measure(lua_add1)
local c_ns = measure(c_add1)
local swift_ns = measure(swift_add1)

cl.printf("calls per run: %d, best of %d runs\n\n", N, REPEATS)
cl.printf("%-34s %10s %10s\n", "function called from a Lua loop", "ns/call", "vs C")
cl.printf("%-34s %10.1f %10.2fx\n", "Lua function (reference)", lua_ns, lua_ns / c_ns)
cl.printf("%-34s %10.1f %10.2fx\n", "C (lua_pushcfunction)", c_ns, 1)
cl.printf("%-34s %10.1f %10.2fx\n", "Swift (cl trampoline)", swift_ns, swift_ns / c_ns)
cl.printf("\nSwift overhead over C: %.1f ns/call (target: Swift <= 1.2x C)\n", swift_ns - c_ns)
