/// The Lua driver of `APIFuzzTests.testExtremeValuesNeverTrap`, run by
/// `churnlab run --sandbox driver.lua SEED FIRST COUNT LOG` in a child process.
///
/// Targets: every function reachable from `cl` and every method of an object of
/// each class a script can make (frames, columns of every type, group-bys,
/// expressions, event logs, subscriptions, logistic and tree models fitted and
/// not, prep steps and pipelines fitted and not). Arguments: values from an
/// extreme pool (±math.maxinteger, math.mininteger, ±math.huge, 0/0, ±1e300,
/// 2^31, 2^53, -1, 0, negative sizes, a 100 KB string, empty and odd tables,
/// wrong types) and option tables built from the target's own option keys (read
/// from its help text; a fixed list for methods) whose values come from that
/// pool. Half of the calls mutate an argument list that already succeeded for
/// the target (one option or argument replaced by an extreme), so extremes reach
/// the code behind the argument checks, not just the checks.
///
/// Call i is generated from (SEED, i) and the targets' success history in this
/// child, so a chunk (SEED, FIRST, COUNT) replays exactly. Before each call the
/// driver appends "i<TAB>target<TAB>arguments" to LOG and flushes, so when the
/// process dies by a signal the parent knows which call did it.
enum ExtremeCallDriver {
    static let script = #"""
    local SEED, FIRST, COUNT, LOG = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3]), arg[4]
    local log = assert(io.open(LOG, "w"))
    local insert, concat, sort, unpack = table.insert, table.concat, table.sort, table.unpack

    -- Deterministic generator (64-bit LCG), reseeded per call from (SEED, i).
    local state = 0
    local function reseed(i) state = (SEED * 1000003 + i * 7919) & 0x7fffffffffffffff end
    local function rand(n)
      state = (state * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff
      return (state >> 33) % n + 1
    end
    local function pick(t) return t[rand(#t)] end

    -- Sample objects of every class.
    cl.seed(7)
    local df = cl.frame({
      a = { 1, 2, 3, 4, 5, 6, 7, 8 }, x = { 0.5, 1.5, 0 / 0, 2, -1, 3, 4.5, 1 },
      b = { "u", "v", cl.null, "v", "u", "w", "u", "v" }, y = { 0, 1, 0, 1, 0, 1, 1, 0 },
      f = { true, false, true, true, false, false, true, false },
      big = { math.maxinteger, math.mininteger, 0, -1, 1, math.maxinteger, 2, 3 },
    }, { names = { "a", "x", "b", "y", "f", "big" } })
    -- Extreme data, not just extreme options: fits, metrics and charts over it must not trap either.
    local dfx = cl.frame({
      x = { 1e300, -1e300, 5e-324, 0 / 0, math.huge, -math.huge, 0, 1 }, y = { 0, 1, 0, 1, 0, 1, 1, 0 },
      big = { math.maxinteger, math.mininteger, 0, -1, 1, math.maxinteger, 2, 3 },
    }, { names = { "x", "y", "big" } })
    local sim = cl.simulate.platform { users = 40, days = 60, seed = 3 }
    local ev = cl.events(sim.events)
    local subs = cl.subscriptions(sim.subscriptions)
    local function fitted_on(m, frame, features) pcall(m.fit, m, frame, { target = "y", features = features }); return m end
    local function fitted(m) return fitted_on(m, df, { "a", "x", "b" }) end
    local objects = {
      df, df.a, df.x, df.b, df.f, df.big, df:group_by("b"), dfx, dfx.x,
      fitted_on(cl.model.gbdt { trees = 3 }, dfx, { "x", "big" }), fitted_on(cl.model.logistic {}, dfx, { "big" }), cl.col("a"), cl.col("a") + 1, ev, subs,
      sim.events.ts, sim.users.signup,
      cl.model.logistic {}, fitted(cl.model.logistic {}),
      cl.model.tree {}, fitted(cl.model.tree { max_depth = 3 }),
      cl.model.forest { n_trees = 5 }, fitted(cl.model.forest { n_trees = 5 }),
      cl.model.gbdt { trees = 5 }, fitted(cl.model.gbdt { trees = 5 }),
    }
    for _, name in ipairs { "standard_scaler", "min_max_scaler", "one_hot", "label_encoder", "imputer", "clip" } do
      local ok, p = pcall(cl.prep[name], {})
      if ok then
        insert(objects, p)
        local ok2, q = pcall(cl.prep[name], {})
        if ok2 and pcall(q.fit, q, df) then insert(objects, q) end
      end
    end

    local huge = ("x"):rep(100000)
    local pool = {
      function() return nil end, function() return true end, function() return false end,
      function() return 0 end, function() return -0.0 end, function() return 1 end, function() return -1 end,
      function() return 2 end, function() return 3 end, function() return 0.5 end, function() return -2.5 end,
      function() return 1e300 end, function() return -1e300 end, function() return 1e-300 end, function() return 0 / 0 end,
      function() return math.huge end, function() return -math.huge end,
      function() return math.maxinteger end, function() return math.mininteger end, function() return math.maxinteger - 1 end,
      function() return 2 ^ 31 end, function() return 2 ^ 31 + 1 end, function() return -(2 ^ 31) end, function() return 2 ^ 53 end,
      function() return 36501 end, function() return -100 end, function() return 1e9 end,
      function() return "" end, function() return "a" end, function() return "b" end, function() return "y" end,
      function() return "x" end, function() return "auc" end, function() return "2024-02-01" end, function() return "28d" end,
      function() return "9223372036854775807w" end, function() return "流失" end, function() return huge end,
      function() return "/nonexistent/dir/file.csv" end, function() return "%d%s%n" end, function() return "out.svg" end,
      function() return {} end, function() return { 1, 2, 3 } end, function() return { "a", "x" } end, function() return { "x", "big" } end,
      function() return { 0, 1, 1, 0, 1, 0, 0, 1 } end, function() return { 0.2, 0.7, 0.4, 0.9, 0.6, 0.1, 0.3, 0.8 } end,
      function() return { math.maxinteger, math.mininteger } end, function() return { 0 / 0, math.huge } end,
      function() return { { 1, 2 }, { 3, 4 } } end, function() return { a = 1 } end, function() return { 1, "x", {} } end,
      function() return { target = "y" } end, function() return { as_of = "2024-02-01" } end,
      function() return print end, function() return coroutine.create(function() end) end,
      function() return pick(objects) end, function() return pick(objects) end, function() return pick(objects) end,
    }
    local function extreme() return pool[rand(#pool)]() end

    -- Targets: cl functions (option keys from their help) and methods of the objects.
    local skip = { ["cl.test.case"] = true, ["cl.test.run"] = true }
    local methodKeys = { "target", "features", "exclude", "weight", "positive", "prep", "eval_set", "threshold", "top", "kind",
      "max_rows", "max_width", "max_cell_width", "n", "frac", "seed", "test", "stratify", "k", "group", "time", "cutoff",
      "how", "on", "right_on", "suffix", "descending", "nulls_last", "nan", "subset", "columns", "layout", "sep", "header",
      "mode", "index", "values", "agg", "names", "sort" }
    local targets = {}
    local function keysOf(name)
      local ok, text = pcall(cl.help, name)
      local keys, seen = {}, {}
      if ok and type(text) == "string" then
        for k in text:gmatch("([%a_][%w_]*)%s*=") do
          if not seen[k] then seen[k] = true; insert(keys, k) end
        end
      end
      return keys
    end
    local function collect(t, path, seen)
      if seen[t] then return end
      seen[t] = true
      local names = {}
      for k in pairs(t) do if type(k) == "string" then insert(names, k) end end
      sort(names)
      for _, k in ipairs(names) do
        local v, name = t[k], path .. "." .. k
        if type(v) == "function" and not skip[name] then insert(targets, { name = name, fn = v, keys = keysOf(name) })
        elseif type(v) == "table" then collect(v, name, seen) end
      end
    end
    collect(cl, "cl", {})
    for oi, obj in ipairs(objects) do
      local names = {}
      for m in pairs(cl._methods(obj) or {}) do insert(names, m) end
      sort(names)
      local label = tostring(obj):match("^<?([%w%.]+)") or "obj"
      for _, m in ipairs(names) do
        insert(targets, { name = ("%s#%d:%s"):format(label, oi, m), fn = function(...) return obj[m](...) end,
                          self = obj, keys = methodKeys })
      end
    end

    -- Operators and metamethods (expression arithmetic, frame/column indexing, __len, __tostring, …).
    local ops = {
      ["+"] = function(a, b) return a + b end, ["-"] = function(a, b) return a - b end, ["*"] = function(a, b) return a * b end,
      ["/"] = function(a, b) return a / b end, ["//"] = function(a, b) return a // b end, ["%"] = function(a, b) return a % b end,
      ["^"] = function(a, b) return a ^ b end, [".."] = function(a, b) return a .. b end, ["=="] = function(a, b) return a == b end,
      ["<"] = function(a, b) return a < b end, ["<="] = function(a, b) return a <= b end, ["unm"] = function(a) return -a end,
      ["len"] = function(a) return #a end, ["index"] = function(a, k) return a[k] end, ["tostring"] = function(a) return tostring(a) end,
      ["newindex"] = function(a, k, v) a[k] = v end, ["call"] = function(a, ...) return a(...) end,
      ["&"] = function(a, b) return a & b end, ["~"] = function(a) return ~a end,
    }
    local opNames = {}
    for k in pairs(ops) do insert(opNames, k) end
    sort(opNames)
    for _, k in ipairs(opNames) do insert(targets, { name = "op " .. k, fn = ops[k], keys = methodKeys, operator = true }) end

    local function describe(v)
      local t = type(v)
      if t == "string" then return #v > 40 and ("<string #" .. #v .. ">") or ("%q"):format(v) end
      if t == "number" then return math.type(v) == "integer" and tostring(v) or ("%.17g"):format(v) end
      if t == "table" then
        local parts, n = {}, 0
        for k, x in pairs(v) do
          n = n + 1
          if n > 8 then insert(parts, "..."); break end
          insert(parts, tostring(k) .. "=" .. (type(x) == "table" and "{...}" or describe(x)))
        end
        sort(parts)
        return "{" .. concat(parts, ", ") .. "}"
      end
      return t
    end

    local function options(keys)
      local o = {}
      local n = #keys == 0 and 0 or rand(math.min(3, #keys))
      for _ = 1, n do o[pick(keys)] = extreme() end
      return o
    end

    -- Argument lists that succeeded, per target (the base for "valid but extreme" calls).
    local good = {}
    local function copy(args, n)
      local out = {}
      for i = 1, n do
        local v = args[i]
        if type(v) == "table" and getmetatable(v) == nil then
          local t = {}
          for k, x in pairs(v) do t[k] = x end
          v = t
        end
        out[i] = v
      end
      return out
    end
    local function mutate(args, n, keys)
      local i = rand(n)
      local v = args[i]
      if type(v) == "table" and getmetatable(v) == nil and next(v) ~= nil and type(next(v)) == "string" then
        local names = {}
        for k in pairs(v) do if type(k) == "string" then insert(names, k) end end
        sort(names)
        if #keys > 0 and rand(3) == 1 then v[pick(keys)] = extreme() else v[pick(names)] = extreme() end
      elseif rand(4) == 1 and #keys > 0 then
        args[i] = options(keys)
      else
        args[i] = extreme()
      end
    end

    -- Objects returned by successful calls (e.g. a forest built with extreme options),
    -- whose methods the "fresh" target calls: that is how forest{n_trees = ...}:fit is reached.
    -- Kept by class (at most 8 each), so that common results (expressions, frames) do not crowd out models.
    local fresh, freshClasses = {}, {}
    local function classOf(v) return tostring(v):match("^<?([%w%.]+)") or "obj" end
    local function remember(v)
      if type(v) ~= "userdata" then return end
      local ok, methods = pcall(cl._methods, v)
      if not ok or type(methods) ~= "table" or next(methods) == nil then return end
      local c = classOf(v)
      if not fresh[c] then fresh[c] = {}; insert(freshClasses, c); sort(freshClasses) end
      local list = fresh[c]
      if #list < 8 then insert(list, v) else list[rand(8)] = v end
    end
    local freshTarget = { name = "fresh", keys = methodKeys, fresh = true }

    local calls, errors, mutated = 0, 0, 0
    for i = FIRST, FIRST + COUNT - 1 do
      reseed(i)
      local t = (rand(8) == 1 and #freshClasses > 0) and freshTarget or targets[rand(#targets)]
      if t.fresh then
        local list = fresh[pick(freshClasses)]
        local obj = list[rand(#list)]
        local names = {}
        for m in pairs(cl._methods(obj)) do insert(names, m) end
        sort(names)
        local m = pick(names)
        t = { name = "fresh " .. classOf(obj) .. ":" .. m, fn = function(...) return obj[m](...) end,
              self = obj, keys = methodKeys,
              base = m == "fit" and { obj, df, { target = "y", features = { "a", "x", "b" } } } or nil }
      end
      local args, n
      local g = good[t.name]
      local base = g and g[rand(#g)]
      if t.base and rand(4) > 1 then
        args, n = t.base, #t.base
      elseif base and base.n > 0 and rand(2) == 1 then
        n = base.n
        args = copy(base.args, n)
        mutate(args, n, t.keys)
        mutated = mutated + 1
      else
        args, n = {}, rand(5) - 1
        for k = 1, n do args[k] = (rand(3) == 1) and options(t.keys) or extreme() end
        if t.operator then n = math.max(n, 2); args[1] = rand(3) > 1 and pick(objects) or extreme(); args[2] = args[2] or extreme() end
        if t.self and rand(5) > 1 then insert(args, 1, t.self); n = n + 1 end
      end
      local shown = {}
      for k = 1, n do shown[k] = describe(args[k]) end
      log:write(i, "\t", t.name, "\t", concat(shown, ", "), "\n")
      log:flush()
      local ok, err = pcall(t.fn, unpack(args, 1, n))
      calls = calls + 1
      if ok then
        remember(err)
        g = good[t.name] or {}
        good[t.name] = g
        if #g < 8 then insert(g, { args = copy(args, n), n = n }) end
      else
        errors = errors + 1
        if type(err) ~= "string" then error(("%s raised a %s, not a message"):format(t.name, type(err))) end
      end
    end
    log:write(("DONE calls=%d errors=%d mutated=%d targets=%d\n"):format(calls, errors, mutated, #targets))
    log:close()
    """#
}
