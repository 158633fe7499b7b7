-- cl.frame and the basic cl.Frame / cl.Column methods.
local T = cl.test

local df = cl.frame({ id = { 1, 2, 3 }, plan = { "a", nil, "流失" }, score = { 0.5, 1, 2.25 } },
                    { names = { "id", "plan", "score" } })

T.case("shape and types", function()
  T.eq(#df, 3)
  T.eq(df:nrow(), 3)
  T.eq(df:ncol(), 3)
  T.eq(df:names(), { "id", "plan", "score" })
  T.eq(df:types(), { id = "int", plan = "string", score = "float" })
end)

T.case("estimated_size counts values, null bitmaps and dictionary text", function()
  -- id: 3 × 8 bytes; plan: 3 codes × 4 + dictionary ("a": 1 + 16, "流失": 6 UTF-8 bytes + 16)
  -- + one 8-byte bitmap word for its null; score: 3 × 8. 24 + 59 + 24 = 107.
  T.eq(df:estimated_size(), 107)
  T.eq(df:select("id"):estimated_size(), 24)
end)

T.case("column access by field and by index, with nulls as nil", function()
  T.eq(df.plan:to_table(), { "a", nil, "流失" })
  T.eq(df["score"]:to_table(), { 0.5, 1.0, 2.25 })
  T.eq(df:row(3), { id = 3, plan = "流失", score = 2.25 })
  T.eq(df:row(2).plan, nil)
end)

T.case("bad input gives clear errors", function()
  T.raises(function() return df.scor end, "no method or column 'scor' in cl.Frame; did you mean column 'score'?")
  T.raises(function() df:row(4) end, "bad argument #1 to 'row' (must be an integer in 1...3, got 4)")
  T.raises(function() df:row("x") end, "bad argument #1 to 'row' (number expected, got string)")
  T.raises(function() cl.frame({ a = { 1, "x" } }) end, "mixes numbers, strings and booleans")
  T.raises(function() cl.frame({ a = { 1, 2 }, b = { 1, nil } }) end, "write cl.null")
  T.eq(cl.frame({ a = { 1, 2 }, b = { 1, cl.null } }).b:to_table(), { 1 })
  T.raises(function() df.nrow(df.id) end, "calling 'nrow' on bad self (cl.Frame expected, got cl.Column)")
end)

T.case("tostring shows an aligned table", function()
  local s = tostring(df)
  T.ok(s:find("[3 rows × 3 columns]", 1, true), s)
  T.ok(s:find("null", 1, true), s)
end)

T.case("to_matrix: rows or columns of numbers, nulls as NaN", function()
  local m, names = cl.frame({ a = { 1, 2 }, b = { 0.5, cl.null }, s = { "x", "y" } }, { names = { "a", "b", "s" } }):to_matrix()
  T.eq(names, { "a", "b" })
  T.eq(m[1], { 1.0, 0.5 })
  T.ok(m[2][2] ~= m[2][2])
  local cm = df:to_matrix({ columns = { "id", "score" }, layout = "column" })
  T.eq(cm, { { 1.0, 2.0, 3.0 }, { 0.5, 1.0, 2.25 } })
  T.raises(function() df:to_matrix({ columns = { "plan" } }) end, "'plan'")
end)
