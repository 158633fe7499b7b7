extension Prelude {
    /// `cl.help(x)` prints formatted help (the REPL and notebooks show it as text, not as
    /// an escaped string); `cl.help_text(x)` returns the same text. x: nothing (overview),
    /// a name ("seed", "metrics", "df", "df:filter"), a `cl` function or module, or an
    /// object (its class's methods). The Swift text function arrives as `cl._help_text`
    /// and is removed from `cl` here, so it never shows up in completion.
    static let help = #"""
    local cl = ...
    local text = rawget(cl, "_help_text")
    cl._help_text = nil
    local type, pairs, getmetatable, error = type, pairs, getmetatable, error
    -- `print` stays global: notebooks replace it after this runs, to capture output.

    -- "cl.x" / "cl.x.y" for a function or module reachable from cl (raw walk, two levels).
    local function name_of(v)
      for k, m in pairs(cl) do
        if m == v then return "cl." .. k end
        if type(m) == "table" then
          for k2, f in pairs(m) do if f == v then return "cl." .. k .. "." .. k2 end end
        end
      end
    end

    local function resolve(x)
      if x == nil or x == cl then return nil end
      local t = type(x)
      if t == "string" then return x end
      if t == "userdata" then
        local mt = getmetatable(x)      -- cl objects report their class name
        if type(mt) == "string" then return mt end
        error("cl.help: not a ChurnLab object", 3)
      end
      if t == "function" or t == "table" then
        return name_of(x) or error("cl.help: this " .. t .. " is not part of cl", 3)
      end
      error("cl.help: expected a name, a cl function or module, or an object; got " .. t, 3)
    end

    -- Errors name the caller's line, not this file's.
    local pcall, gsub, tostring = pcall, string.gsub, tostring
    local function help_text(x)
      local ok, r = pcall(text, resolve(x))
      if not ok then error((gsub(tostring(r), "^=?cl%.help:%d+: ", "")), 3) end
      return r
    end

    function cl.help(x) print(help_text(x)) end
    function cl.help_text(x) return help_text(x) end
    """#
}
