import LuaRuntime

/// Redirects a state's standard output and error to a Swift sink: `print`,
/// `io.write`, `io.stdout:write`, `io.stderr:write` (and `cl.printf`, which
/// uses `io.write`). `io.output(file)` still switches `io.write` to a file.
enum OutputCapture {
    static func install(in state: LuaState, sink: @escaping (_ name: String, _ text: String) -> Void) throws {
        try state.load(string: prelude, name: "=capture")
        state.push(function: "emit") { c in
            sink(try c.string(1), try c.string(2))
            return 0
        }
        try state.pcall(nargs: 1, nresults: 0)
    }

    static let prelude = #"""
    local emit = ...
    local select, type, tostring, concat, fmt, mtype, error, setmetatable =
      select, type, tostring, table.concat, string.format, math.type, error, setmetatable
    local io_output = io.output

    -- Formats io.write's arguments as the real io.write does (numbers with %d / %.14g).
    local function text(...)
      local t = {}
      for i = 1, select("#", ...) do
        local v = select(i, ...)
        if type(v) == "string" then t[i] = v
        elseif type(v) == "number" then t[i] = mtype(v) == "integer" and fmt("%d", v) or fmt("%.14g", v)
        else error(fmt("bad argument #%d to 'write' (string expected, got %s)", i, type(v)), 3) end
      end
      return concat(t)
    end

    local function stream(name)
      local methods = {}
      function methods.write(self, ...) emit(name, text(...)); return self end
      function methods.flush(self) return self end
      function methods.setvbuf() return true end
      function methods.close() return nil, "cannot close standard file" end
      function methods.seek() return nil, "Illegal seek", 29 end
      function methods.read() return nil, "Bad file descriptor", 9 end
      function methods.lines() error("standard " .. name .. " is not readable here", 2) end
      return setmetatable({}, { __index = methods, __name = "FILE*",
        __tostring = function() return "file (" .. name .. ")" end })
    end

    local out, err = stream("stdout"), stream("stderr")
    io.stdout, io.stderr = out, err
    local current = out

    print = function(...)
      local n = select("#", ...)
      local t = {}
      for i = 1, n do t[i] = tostring((select(i, ...))) end
      emit("stdout", concat(t, "\t", 1, n) .. "\n")
    end
    io.write = function(...)
      if current == out then emit("stdout", text(...)); return out end
      return current:write(...)
    end
    io.output = function(f)
      if f == nil then return current end
      if f == out then current = out; return out end
      current = io_output(f)
      return current
    end
    """#
}
