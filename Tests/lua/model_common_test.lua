-- What every model kind shares: save/load round trips, model selection, reports.
local T = cl.test

local n = 400
local cols = { x1 = {}, x2 = {}, plan = {}, churn = {} }
local s = 7
local function r() s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 end
for i = 1, n do
  local x1, x2 = r(), r()
  local plan = ({ "monthly", "annual", "trial" })[1 + i % 3]
  cols.x1[i], cols.x2[i], cols.plan[i] = x1, x2, plan
  local z = 3 * x1 - 2 * x2 + (plan == "trial" and 1 or 0) - 0.5
  cols.churn[i] = (r() < 1 / (1 + math.exp(-z))) and 1 or 0
end
local df = cl.frame(cols, { names = { "x1", "x2", "plan", "churn" } })
local dir = os.tmpname(); os.remove(dir); os.execute("mkdir -p " .. dir)

local specs = {
  tree = function() return cl.model.tree { max_depth = 4 } end,
  forest = function() return cl.model.forest { n_trees = 15, max_depth = 6, seed = 3 } end,
  gbdt = function() return cl.model.gbdt { trees = 30, leaves = 8, min_data_in_leaf = 5, seed = 3 } end,
  logistic = function() return cl.model.logistic {} end,
}

for _, kind in ipairs { "tree", "forest", "gbdt", "logistic" } do
  T.case(kind .. ": save and load give bit-identical predictions", function()
    local data = kind == "logistic" and df:select("x1", "x2", "churn") or df
    local m = specs[kind]():fit(data, { target = "churn" })
    local path = dir .. "/" .. kind .. ".clm"
    m:save(path)
    local back = cl.model.load(path)
    T.eq(back:predict_proba(data):to_table(), m:predict_proba(data):to_table())
    T.eq(tostring(back), tostring(m))
  end)
end

T.case("corrupted, truncated and foreign files are clear errors", function()
  local m = specs.gbdt():fit(df, { target = "churn" })
  local path = dir .. "/m.clm"
  m:save(path)
  local f = assert(io.open(path, "rb")); local bytes = f:read("a"); f:close()
  local bad = dir .. "/bad.clm"
  f = assert(io.open(bad, "wb")); f:write(bytes:sub(1, 100) .. "X" .. bytes:sub(102)); f:close()
  T.raises(function() cl.model.load(bad) end, "checksum")
  f = assert(io.open(bad, "wb")); f:write(bytes:sub(1, #bytes // 2)); f:close()
  T.raises(function() cl.model.load(bad) end, "truncated")
  f = assert(io.open(bad, "wb")); f:write("user_id,churn\n1,0\n"); f:close()
  T.raises(function() cl.model.load(bad) end, "not a ChurnLab model file")
  T.raises(function() m:predict_proba(df:select("x1", "churn")) end, "x2")
end)

T.case("trees in cross-validation and grid search", function()
  local cv = cl.model.cross_validate(specs.gbdt(), df, { target = "churn", k = 3, metrics = { "auc" }, seed = 1 })
  T.ok(cv, "cross_validate returned nothing")
  local g = cl.model.grid_search(specs.gbdt(), df, { target = "churn", k = 3, grid = { leaves = { 4, 8 }, learning_rate = { 0.1 } }, metrics = { "auc" }, seed = 1 })
  T.eq(#g, 2)
  T.raises(function() cl.model.grid_search(specs.gbdt(), df, { target = "churn", k = 3, grid = { leaf = { 4 } }, metrics = { "auc" } }) end, "unknown parameter 'leaf'")
  T.raises(function() cl.model.grid_search(specs.gbdt(), df, { target = "churn", k = 3, grid = { leaves = { 0.5 } }, metrics = { "auc" } }) end, "must be an integer")
end)

T.case("options a model would ignore are refused", function()
  T.raises(function() cl.model.logistic {}:fit(df:select("x1", "churn"), { target = "churn", eval_set = df }) end,
           "only gbdt, mlp, gru, lstm, cnn models use an eval set")
  T.raises(function() cl.model.forest { n_trees = 2 }:fit(df, { target = "churn", eval_set = df }) end,
           "only gbdt, mlp, gru, lstm, cnn models use an eval set")
end)
