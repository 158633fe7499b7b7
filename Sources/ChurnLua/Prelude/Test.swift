extension Prelude {
    /// `cl.test`: the assertions of Lua-level test files run by `churnlab test`.
    /// A failing assertion raises with the caller's `file:line`; `case` catches
    /// it, prints it with the values, and counts it.
    static let test = #"""
    local cl = ...
    local test = { results = { passed = 0, failed = 0, failures = {} }, verbose = false }
    cl.test = test
    local inspect = cl.inspect
    local function show(v) return inspect(v, { width = 120 }) end

    local function deepeq(a, b, seen)
      if a == b then return true end
      local ta, tb = type(a), type(b)
      if ta == "number" and tb == "number" then return a ~= a and b ~= b end  -- NaN equals NaN here
      if ta ~= "table" or tb ~= "table" then return false end
      seen = seen or {}
      if seen[a] == b then return true end
      seen[a] = b
      for k, v in pairs(a) do if not deepeq(v, b[k], seen) then return false end end
      for k in pairs(b) do if a[k] == nil then return false end end
      return true
    end
    test.deepeq = deepeq

    --- Runs one named test case; failures are reported, not raised.
    function test.case(name, fn)
      if type(name) ~= "string" or type(fn) ~= "function" then
        error("usage: cl.test.case(name, function() ... end)", 2)
      end
      local ok, err = xpcall(fn, function(e)
        if type(e) ~= "string" then e = show(e) end
        return e
      end)
      local r = test.results
      if ok then
        r.passed = r.passed + 1
        if test.verbose then print("  ok   " .. name) end
      else
        r.failed = r.failed + 1
        r.failures[#r.failures + 1] = { name = name, message = err }
        print("  FAIL " .. name .. "\n       " .. tostring(err):gsub("\n", "\n       "))
      end
    end

    --- Asserts deep equality of `actual` and `expected`.
    function test.eq(actual, expected, msg)
      if not deepeq(actual, expected) then
        error(("expected %s, got %s%s"):format(show(expected), show(actual), msg and (" (" .. msg .. ")") or ""), 2)
      end
    end

    local function near(a, b, tol)
      if type(a) == "number" and type(b) == "number" then
        if a ~= a and b ~= b then return true end
        return math.abs(a - b) <= tol or a == b
      end
      if type(a) == "table" and type(b) == "table" and #a == #b then
        for i = 1, #a do if not near(a[i], b[i], tol) then return false end end
        return true
      end
      return false
    end

    --- Asserts |actual - expected| <= tol (numbers, or arrays elementwise).
    function test.near(actual, expected, tol, msg)
      tol = tol or 1e-9
      if not near(actual, expected, tol) then
        local diff = (type(actual) == "number" and type(expected) == "number") and (" (difference %.3g)"):format(math.abs(actual - expected)) or ""
        error(("expected %s ± %g, got %s%s%s"):format(show(expected), tol, show(actual), diff, msg and (" (" .. msg .. ")") or ""), 2)
      end
    end

    --- Asserts that fn() raises an error whose message contains `pattern`
    --- (plain text, or a Lua pattern). Returns the message.
    function test.raises(fn, pattern)
      local ok, err = pcall(fn)
      if ok then
        error("expected an error" .. (pattern and (" matching " .. show(pattern)) or "") .. ", but the call succeeded", 2)
      end
      err = type(err) == "string" and err or show(err)
      if pattern and not err:find(pattern, 1, true) then
        local pok, found = pcall(string.find, err, pattern)
        if not (pok and found) then
          error(("error %s does not match %s"):format(show(err), show(pattern)), 2)
        end
      end
      return err
    end

    --- Asserts that `v` is truthy.
    function test.ok(v, msg)
      if not v then error("expected a true value, got " .. show(v) .. (msg and (" (" .. msg .. ")") or ""), 2) end
      return v
    end
    """#
}
