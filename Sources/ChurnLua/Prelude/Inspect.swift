extension Prelude {
    /// `cl.inspect(v [, opts])`: a readable, valid-Lua-looking rendering of any
    /// value — nested tables with sorted keys, cycles shown as `<cycle>`,
    /// userdata through `__tostring`. The REPL prints results with it.
    static let inspect = #"""
    local cl = ...
    local type, tostring, pairs, rawget, next, getmetatable, mtype = type, tostring, pairs, rawget, next, getmetatable, math.type
    local concat, sort, fmt = table.concat, table.sort, string.format

    local function scalar(v)
      local t = type(v)
      if t == "string" then
        return (fmt("%q", v):gsub("\\\n", "\\n"))
      elseif t == "number" then
        if mtype(v) == "integer" then return tostring(v) end
        if v ~= v then return "nan" end
        if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
        local s = fmt("%.14g", v)
        if not s:find("[%.eni]") then s = s .. ".0" end
        return s
      end
      return tostring(v)
    end

    local order = { number = 1, string = 2, boolean = 3 }
    local function keycmp(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return (order[ta] or 9) < (order[tb] or 9) end
      if ta == "number" or ta == "string" then return a < b end
      return tostring(a) < tostring(b)
    end

    local function keyrepr(k)
      if type(k) == "string" and k:match("^[%a_][%w_]*$") then return k end
      return "[" .. scalar(k) .. "]"
    end

    --- cl.read_events(path [, {user =, time =, event =, amount =, csv = {read_csv options}}])
    function cl.read_events(path, opts)
      opts = opts or {}
      local csv, ev = opts.csv, {}
      for k, v in pairs(opts) do if k ~= "csv" then ev[k] = v end end
      local df = cl.read_csv(path, csv)
      return cl.events(df, ev)
    end

    function cl.printf(fmt, ...)
      io.write(fmt:format(...))
    end

    function cl.inspect(v, opts)
      opts = opts or {}
      local maxdepth = opts.depth or 8
      local width = opts.width or 80
      local onpath = {}
      local function rec(x, depth, indent)
        if type(x) ~= "table" then return scalar(x) end
        local mt = getmetatable(x)
        if type(mt) == "table" and rawget(mt, "__tostring") then return tostring(x) end
        if onpath[x] then return "<cycle>" end
        if next(x) == nil then return "{}" end
        if depth >= maxdepth then return "{...}" end
        onpath[x] = true
        local parts, n = {}, #x
        for i = 1, n do parts[#parts + 1] = rec(x[i], depth + 1, indent .. "  ") end
        local keys = {}
        for k in pairs(x) do
          if not (mtype(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
        end
        sort(keys, keycmp)
        for _, k in ipairs(keys) do parts[#parts + 1] = keyrepr(k) .. " = " .. rec(x[k], depth + 1, indent .. "  ") end
        onpath[x] = nil
        local one = "{" .. concat(parts, ", ") .. "}"
        if #one + #indent <= width and not one:find("\n") then return one end
        return "{\n" .. indent .. "  " .. concat(parts, ",\n" .. indent .. "  ") .. "\n" .. indent .. "}"
      end
      return rec(v, 0, "")
    end
    """#
}

/// Lua sources that are part of the `churnlab` module.
enum Prelude {}
