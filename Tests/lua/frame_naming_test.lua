-- The naming rule (issue 12, defect 7) and the messages of missing methods,
-- unknown options and extra arguments (defect 6).
local T = cl.test

local df = cl.frame({ row = { 10, 20, 30 }, filter = { "a", "b", "a" }, sort_by = { 3, 1, 2 }, x = { 1.5, 2.5, 3.5 } },
                    { names = { "row", "filter", "sort_by", "x" } })

T.case("df['row'] and df.row are the column when one exists", function()
  T.eq(df["row"]:to_table(), { 10, 20, 30 })
  T.eq(df.row:to_table(), { 10, 20, 30 })
  T.eq(df["filter"]:to_table(), { "a", "b", "a" })
  T.eq(df.sort_by:sum(), 6)
  T.eq(df:column("row"):name(), "row")
end)

T.case("df:name(...) is always the method, even when a column has that name", function()
  T.eq(df:row(2), { row = 20, filter = "b", sort_by = 1, x = 2.5 })
  -- the method's errors point at the script line
  T.raises(function() df:row(9) end, "frame_naming_test.lua:")
  T.raises(function() df:row(9) end, "bad argument #1 to 'row' (must be an integer in 1...3, got 9)")
  T.eq(df:filter(cl.col("filter"):eq("a")):nrow(), 2)
  T.eq(df:sort_by("sort_by").row:to_table(), { 20, 30, 10 })
  -- the column is callable only as its frame's method
  T.raises(function() df.row(1) end, "'row' is column 'row' here; the frame method is df:row(...)")
  T.raises(function() df.x() end, "a cl.Column is not callable")
end)

T.case("without such a column, df.name is the method", function()
  local g = cl.frame({ a = { 1, 2 } })
  T.eq(type(g.nrow), "function")
  T.eq(g.nrow(g), 2)
end)

T.case("a missing name is 'no method or column' with near methods and columns", function()
  T.raises(function() return df:rowz() end, "no method or column 'rowz' in cl.Frame; did you mean df:row() or df:rows() or column 'row'?")
  T.raises(function() return df.sort_bi end, "did you mean df:sort_by() or column 'sort_by'?")
  T.raises(function() return df.zzz end, "no method or column 'zzz' in cl.Frame")
  T.raises(function() return df[1] end, "frames are indexed by column name")
end)

T.case("unknown option keys always list the valid keys", function()
  T.raises(function() df:sample({ fraction = 0.5 }) end, "unknown option 'fraction'")
  T.raises(function() df:sample({ fraction = 0.5 }) end, "(valid: frac, n, seed)")
  T.raises(function() df:sort_by("x", { desc = true }) end, "(valid: descending, nulls_last)")
  T.raises(function() df:split({ fraction = 0.5 }) end, "(valid:")
end)

T.case("value_counts{normalize} like pandas; unknown keys and extra arguments fail", function()
  local s = cl.frame({ p = { "a", "b", "a", "a", cl.null } }).p
  local vc = s:value_counts({ normalize = true })
  -- pandas: pd.Series(["a","b","a","a",None]).value_counts(normalize=True) → a 0.75, b 0.25
  T.eq(vc:names(), { "p", "proportion" })
  T.eq(vc.p:to_table(), { "a", "b" })
  T.near(vc.proportion:to_table(), { 0.75, 0.25 }, 1e-12)
  -- dropna=False → a 0.6, b 0.2, None 0.2 (pandas)
  T.near(s:value_counts({ normalize = true, dropna = false }).proportion:to_table(), { 0.6, 0.2, 0.2 }, 1e-12)
  T.eq(s:value_counts().count:to_table(), { 3, 1 })
  T.raises(function() s:value_counts({ normalise = true }) end, "unknown option 'normalise'; did you mean 'normalize'? (valid: dropna, normalize)")
  T.raises(function() s:sum(true) end, "unexpected argument (boolean): this method takes no arguments")
  T.raises(function() df:nrow({ x = 1 }) end, "unexpected argument (table): this method takes no arguments")
  T.raises(function() df.x:quantile(0.5, { interpolation = "lower" }) end, "this method takes at most 1 argument")
end)

T.case("every frame and column method with an option table rejects unknown keys", function()
  -- One valid call per method whose signature (cl.help) has an option table;
  -- the walk fails when a new method with options is missing here.
  local f = cl.frame({ id = { 1, 2, 3, 4, 5, 6 }, y = { 0, 1, 0, 1, 0, 1 }, g = { "a", "a", "b", "b", "c", "c" },
                       t = { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 } })
  local path = os.tmpname()
  local calls = {
    to_matrix = function(o) return f:to_matrix(o) end,
    write_csv = function(o) return f:write_csv(path, o) end,
    write_sqlite = function(o) return f:write_sqlite(path .. ".db", "t", o) end,
    write_postgres = function(o) return f:write_postgres(o) end,
    write_parquet = function(o) return f:write_parquet(path .. ".parquet", o) end,
    show = function(o) return f:show(o) end,
    html = function(o) return f:html(o) end,
    sort_by = function(o) return f:sort_by("id", o) end,
    join = function(o) o.on = "id"; return f:join(f, o) end,
    dropna = function(o) return f:dropna(o) end,
    sample = function(o) o.n = 2; return f:sample(o) end,
    pivot = function(o) o.index = "id"; o.columns = "g"; o.values = "t"; return f:pivot(o) end,
    split = function(o) return f:split(o) end,
    kfold = function(o) return f:kfold(o) end,
    time_split = function(o) o.time = "t"; o.cutoff = 3; return f:time_split(o) end,
    group_split = function(o) o.group = "g"; return f:group_split(o) end,
    value_counts = function(o) return f.g:value_counts(o) end,
    rank = function(o) return f.t:rank(o) end,
    apply = function(o) return f:apply(function(r) return r.id end, o) end,
    corr = function(o) return f:corr(o) end,
    crosstab = function(o) return f:crosstab("g", "y", o) end,
    melt = function(o) o.id_vars = { "id" }; return f:melt(o) end,
    join_asof = function(o) o.on = "t"; return f:join_asof(f, o) end,
    join_range = function(o) o.on = "t"; o.lower = "t"; o.upper = "t"; return f:join_range(f, o) end,
    col_corr = function(o) return f.t:corr(f.y, o) end,
  }
  -- name → value tables, not options
  local mappings = { rename = true, mutate = true, with_columns = true, fillna = true }
  for _, cls in ipairs({ "df", "col" }) do
    for line in cl.help_text(cls):gmatch("[^\n]+") do
      local sig = line:match("^%s+(%S.-)%s%s") or ""
      local name, args = sig:match("^%a+:([%w_]+)(.*)$")
      if name and args:find("{", 1, true) and not mappings[name] then
        local call = calls[name] if cls == "col" and name == "corr" then call = calls.col_corr end
        T.ok(call, "no option-key check registered in this test for " .. cls .. ":" .. name .. args)
        if call then
          T.raises(function() call({ zz_bogus = 1 }) end, "unknown option 'zz_bogus'")
        end
      end
    end
  end
  os.remove(path); os.remove(path .. ".db"); os.remove(path .. ".parquet")
end)
