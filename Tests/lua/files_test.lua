-- gzip CSV (read_csv / write_csv by extension) and Parquet (cl.read_parquet / df:write_parquet).
-- Parquet fixtures were written by pyarrow (scripts/reference/parquet_fixtures.py); the values below
-- are pyarrow's reading of mixed_snappy_v1.parquet (its .expected.json).
local T = cl.test
local fixtures = "Tests/ChurnCoreTests/Fixtures/"

T.case("read_csv reads gzip by content, write_csv writes gzip by extension", function()
  local plain = cl.read_csv(fixtures .. "csv/basic.csv")
  local gz = cl.read_csv(fixtures .. "csv/basic.csv.gz")
  T.eq(gz:names(), plain:names())
  T.eq(gz.name:to_table(), plain.name:to_table())
  local df = cl.frame({ id = { 1, 2, 3 }, s = { "a", cl.null, "c" } }, { names = { "id", "s" } })
  local p = os.tmpname() .. ".csv.gz"
  df:write_csv(p)
  local f = assert(io.open(p, "rb")); local magic = f:read(2); f:close()
  T.eq(magic, "\31\139")
  local back = cl.read_csv(p)
  T.eq(back.id:to_table(), { 1, 2, 3 })
  T.eq(back.s:to_table(), { "a", nil, "c" })
  os.remove(p)
end)

T.case("read_parquet reads pyarrow's file with pyarrow's values", function()
  local df = cl.read_parquet(fixtures .. "parquet/mixed_snappy_v1.parquet")
  T.eq(#df, 10)
  local types = df:types()
  T.eq(types.i64, "int"); T.eq(types.i8, "int"); T.eq(types.f32, "float"); T.eq(types.b, "bool")
  T.eq(types.s, "string"); T.eq(types.d, "date"); T.eq(types.ts_ns, "timestamp")
  T.eq(df.i64:to_table(), { nil, 1000000004, 2000000011, 3000000018, nil, 5000000032, 6000000039, 7000000046, nil, 9000000060 })
  T.eq(df.s:to_table(), { "alpha", nil, "", "größe 流失", "alpha", "beta", "", "größe 流失", "alpha", "beta" })
  local sub = cl.read_parquet(fixtures .. "parquet/mixed_snappy_v1.parquet", { columns = { "b", "i32" } })
  T.eq(sub:names(), { "b", "i32" })
  T.eq(sub.i32:to_table(), { -5, -4, -3, -2, -1, 0, 1, 2, 3, 4 })
end)

T.case("write_parquet round-trips and validates its options", function()
  local df = cl.frame({ id = { 1, 2, 3 }, x = { 0.5, cl.null, -2 }, s = { "a", "b", cl.null } }, { names = { "id", "x", "s" } })
  for _, c in ipairs({ "snappy", "zstd", "gzip", "none" }) do
    local p = os.tmpname() .. ".parquet"
    df:write_parquet(p, { compression = c, row_group_size = 2 })
    local back = cl.read_parquet(p)
    T.eq(back.id:to_table(), { 1, 2, 3 })
    T.eq(back.x:to_table(), { 0.5, nil, -2.0 })
    T.eq(back.s:to_table(), { "a", "b", nil })
    os.remove(p)
  end
  T.raises(function() df:write_parquet(os.tmpname(), { compression = "lz4" }) end,
           "field 'compression' must be one of snappy, zstd, gzip, none, got 'lz4'")
  T.raises(function() df:write_parquet(os.tmpname(), { row_group_size = 0 }) end, "row_group_size")
  T.raises(function() df:write_parquet(os.tmpname(), { compresion = "zstd" }) end, "compression")
  T.raises(function() cl.read_parquet(fixtures .. "csv/basic.csv") end, "not a Parquet file")
  T.raises(function() cl.read_parquet(fixtures .. "parquet/mixed_snappy_v1.parquet", { columns = { "nope" } }) end, "no column 'nope'")
end)

T.case("read_csv streams a multi-chunk .gz whose column turns to text late, as the plain file reads", function()
  -- 700,000 rows (~7.5 MB of text: two 4 MB chunks, so the first chunk infers int and is
  -- inflated again from a checkpoint to be read as text). The writer leaves digits unquoted.
  local n = 700000
  local ids, codes = {}, {}
  for i = 1, n do ids[i] = i; codes[i] = tostring(i % 1000) end
  codes[n] = "X-1"
  local df = cl.frame({ id = ids, code = codes }, { names = { "id", "code" } })
  local gz, plain = os.tmpname() .. ".csv.gz", os.tmpname() .. ".csv"
  df:write_csv(gz); df:write_csv(plain)
  local a, b = cl.read_csv(gz), cl.read_csv(plain)
  T.eq(#a, n)
  T.eq(a:types().code, "string"); T.eq(b:types().code, "string")
  T.eq(a:types().id, "int")
  T.eq(a.code:to_table()[1], "1"); T.eq(a.code:to_table()[n], "X-1"); T.eq(a.code:to_table()[1000], "0")
  T.eq(a.code:to_table(), b.code:to_table())
  T.eq(a.id:sum(), n * (n + 1) / 2)
  -- Every type given: the single-pass path reads the same values.
  local c = cl.read_csv(gz, { types = { id = "int", code = "string" } })
  T.eq(c.code:to_table(), b.code:to_table())
  os.remove(gz); os.remove(plain)
end)
