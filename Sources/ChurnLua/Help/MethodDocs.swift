/// One-line help for every method of every `cl` object class, keyed by the class's
/// Lua type name. `cl.help("df:filter")`, `cl.help(obj)`, REPL `:help` and the
/// notebook's inspect read it through `Docs`; `HelpCoverageTests` fails when a
/// registered method has no entry here.
enum MethodDocs {
    typealias Entry = (signature: String, help: String)

    /// Receiver names used in signatures and accepted by `cl.help("df:filter")`.
    static let receivers: [String: String] = [
        "df": "cl.Frame", "frame": "cl.Frame", "col": "cl.Column", "column": "cl.Column", "expr": "cl.Expr",
        "gb": "cl.GroupBy", "prep": "cl.Prep", "log": "cl.EventLog", "events": "cl.EventLog", "subs": "cl.Subscriptions",
        "model": "cl.Model", "tree": "cl.Model", "logistic": "cl.Model", "forest": "cl.Model", "gbdt": "cl.Model", "cox": "cl.Model", "clv": "cl.CLVModel", "bg": "cl.CLVModel",
        "km": "cl.KMeans", "kmeans": "cl.KMeans", "pca": "cl.PCA", "tfidf": "cl.TfIdf", "rec": "cl.Recommender", "recommender": "cl.Recommender",
        "t": "cl.Tensor", "tensor": "cl.Tensor", "net": "cl.nn.Module", "layer": "cl.nn.Module",
    ]

    /// The expression functions, documented once for `cl.Expr` (receiver "expr")
    /// and `cl.Column` (receiver "col": evaluated at once; no `over`).
    static func functionDocs(_ r: String) -> [String: Entry] {
        var d: [String: Entry] = [
            "log": ("\(r):log()", "Natural log (float; log(0) = -inf, negative → NaN, as numpy)."),
            "log1p": ("\(r):log1p()", "log(1 + x), exact for small x."),
            "log10": ("\(r):log10()", "Base-10 log."),
            "log2": ("\(r):log2()", "Base-2 log."),
            "exp": ("\(r):exp()", "e^x."),
            "expm1": ("\(r):expm1()", "e^x - 1, exact for small x."),
            "sqrt": ("\(r):sqrt()", "Square root (negative → NaN)."),
            "abs": ("\(r):abs()", "Absolute value (ints stay ints)."),
            "sign": ("\(r):sign()", "-1, 0 or 1 (ints stay ints; NaN stays NaN)."),
            "asinh": ("\(r):asinh()", "Inverse hyperbolic sine: a log-like transform defined at 0 and for negatives."),
            "floor": ("\(r):floor()", "Largest whole number ≤ x (ints unchanged)."),
            "ceil": ("\(r):ceil()", "Smallest whole number ≥ x (ints unchanged)."),
            "round": ("\(r):round([digits = 0])", "Rounded to `digits` decimals (-15…15), half to even like pandas/numpy."),
            "clip": ("\(r):clip(lower, upper)", "Values outside [lower, upper] moved to the bound (nil: no bound); NaN stays NaN (pandas clip)."),
            "fill_null": ("\(r):fill_null(value)", "Nulls replaced by value (a literal or expression); NaN is a value, not a null (polars fill_null)."),
            "cast": ("\(r):cast(type)", "Converted to 'int', 'float', 'bool', 'string', 'category', 'date' or 'timestamp' (strict: a value that does not convert is an error naming the row; float → int truncates)."),
            "lower": ("\(r):lower()", "Text in lower case."),
            "upper": ("\(r):upper()", "Text in upper case."),
            "strip": ("\(r):strip()", "Text without leading and trailing white space."),
            "len": ("\(r):len()", "Number of characters of the text (int)."),
            "contains": ("\(r):contains(text)", "True where the text contains `text` (literal, not a pattern)."),
            "starts_with": ("\(r):starts_with(text)", "True where the text starts with `text`."),
            "ends_with": ("\(r):ends_with(text)", "True where the text ends with `text`."),
            "replace": ("\(r):replace(old, new)", "Every occurrence of the literal text `old` replaced by `new`."),
            "year": ("\(r):year()", "Calendar year of a date or timestamp (int)."),
            "quarter": ("\(r):quarter()", "Quarter 1…4."),
            "month": ("\(r):month()", "Month 1…12."),
            "day": ("\(r):day()", "Day of the month 1…31."),
            "weekday": ("\(r):weekday()", "Day of the week, Monday = 0 … Sunday = 6 (pandas dayofweek)."),
            "day_of_year": ("\(r):day_of_year()", "Day of the year 1…366."),
            "hour": ("\(r):hour()", "Hour 0…23 of a timestamp (0 for dates)."),
            "minute": ("\(r):minute()", "Minute 0…59 of a timestamp."),
            "second": ("\(r):second()", "Second 0…59 of a timestamp."),
            "add_months": ("\(r):add_months(n)", "Dates/timestamps moved by n calendar months (±1200000), the day clamped to the month's end like pandas DateOffset(months=n): 2024-01-31 + 1 → 2024-02-29."),
            "shift": ("\(r):shift([n = 1])", "The value n rows earlier (n < 0: later); null where there is none (pandas shift). Inside groups with :over."),
            "lag": ("\(r):lag([n = 1])", "The value n rows earlier (shift(n))."),
            "lead": ("\(r):lead([n = 1])", "The value n rows later (shift(-n))."),
            "cumsum": ("\(r):cumsum()", "Running sum; null (and NaN) rows stay null (NaN) and are skipped (pandas cumsum)."),
            "row_number": ("\(r):row_number()", "1, 2, … in row order (within groups with :over)."),
            "rank": ("\(r):rank([{method = 'average'|'min'|'max'|'dense'|'first', descending = false}])", "1-based rank among non-null values, ties as pandas' method; null and NaN get null (float)."),
        ]
        if r == "col" {
            for k in d.keys { d[k]!.help += " Evaluated at once into a new column." }
        }
        return d
    }

    /// A paragraph printed under a class's method listing (`cl.help(df)`).
    static let classNotes: [String: String] = [
        "cl.Frame": "Naming rule: df.x and df[\"x\"] are the column x when the frame has one, else the method x; " +
                    "df:x(...) is always the method (a column named like a method, e.g. 'row' or 'filter', stays callable as it); " +
                    "df:column(\"x\") is always the column.",
    ]

    static let byClass: [String: [String: Entry]] = [
        "cl.Frame": [
            "nrow": ("df:nrow()", "Number of rows (also #df)."),
            "ncol": ("df:ncol()", "Number of columns."),
            "names": ("df:names()", "Column names, in order."),
            "types": ("df:types()", "Column name → type (int, float, string, bool, date, timestamp, category)."),
            "column": ("df:column(name)", "The column `name` as a cl.Column. Naming rule: df.name and df[\"name\"] are the column when the frame has one of that name, else the method; df:name(...) is always the method (a column named like a method stays callable as it)."),
            "row": ("df:row(i)", "Row i (1-based) as a table column name → value (nil for null)."),
            "bad_rows": ("df:bad_rows()", "Rows read_csv skipped with bad_rows = 'skip': line, column and reason."),
            "to_matrix": ("df:to_matrix([{columns =, layout = 'row'|'column'}])", "Numeric columns as nested Lua arrays (nulls become NaN)."),
            "write_csv": ("df:write_csv(path [, {sep =, header =}])", "Writes the frame as CSV (gzip-compressed when path ends in .gz)."),
            "write_parquet": ("df:write_parquet(path [, {compression = 'snappy'|'zstd'|'gzip'|'none', row_group_size =, dictionary = true}])",
                              "Writes the frame as Parquet (text dictionary-encoded; readable by pyarrow, polars, DuckDB, Spark)."),
            "write_sqlite": ("df:write_sqlite(path, table [, {mode = 'replace'|'append'|'fail'}])", "Writes the frame to an SQLite table."),
            "head": ("df:head([n = 5])", "The first n rows."),
            "tail": ("df:tail([n = 5])", "The last n rows."),
            "describe": ("df:describe()", "Count, nulls, mean, std, min, quartiles and max of every numeric column."),
            "show": ("df:show([{max_rows =, max_width =, max_cell_width =}])", "Prints the frame as a table (width defaults to the terminal's)."),
            "html": ("df:html([{max_rows =}])", "The frame as an HTML table (for notebooks and reports)."),
            "select": ("df:select(name, ...)", "A frame with only these columns, in this order."),
            "drop": ("df:drop(name, ...)", "A frame without these columns."),
            "rename": ("df:rename{old = 'new', ...}", "A frame with columns renamed."),
            "filter": ("df:filter(expr)", "Rows where the cl.col(...) expression is true (null counts as false)."),
            "mutate": ("df:mutate{name = expr, ...}", "Adds or replaces columns computed from expressions (cl.col, cl.when, constants)."),
            "with_columns": ("df:with_columns{name = expr, ...}", "Same as df:mutate (the polars name)."),
            "sort_by": ("df:sort_by(name, ... [, {descending =, nulls_last =}])", "Rows sorted by these columns (stable)."),
            "group_by": ("df:group_by(name, ...)", "A cl.GroupBy; aggregate with :agg{...}."),
            "join": ("df:join(other, {on =, right_on =, how = 'inner'|'left'|'outer', suffix =})", "Joins two frames on key columns (null and NaN keys match nothing)."),
            "concat": ("df:concat(other, ...)", "Rows of the frames one after another (same columns)."),
            "dropna": ("df:dropna([{subset =, nan = false}])", "Rows without nulls (in subset; NaN counts as null with nan = true)."),
            "fillna": ("df:fillna{name = value, ...}", "Nulls in the named columns replaced by the values."),
            "distinct": ("df:distinct([name, ...])", "The first row of each distinct combination (of these columns)."),
            "sample": ("df:sample{n = | frac =, seed =}", "A random sample of rows without replacement."),
            "pivot": ("df:pivot{index =, columns =, values =, agg =}", "A wide table: one row per index value, one column per `columns` value."),
            "split": ("df:split{test = 0.2, stratify =, seed =}", "Train and test frames (stratified by a column when given)."),
            "kfold": ("df:kfold{k = 5, stratify =, seed =}", "k (train, test) pairs for cross-validation."),
            "time_split": ("df:time_split{time =, cutoff = [, gap = 0]}", "Rows before the cutoff (train) and at/after it (test); gap = n days (0…36500) also keeps training rows n days clear of the cutoff (the label horizon)."),
            "group_split": ("df:group_split{group =, test = 0.2, seed =}", "Train and test frames with no group in both."),
            "rows": ("df:rows()", "Iterator for `for i, row in df:rows() do … end` (row = column name → value). The slow path: one Lua table per row; prefer expressions."),
            "apply": ("df:apply(fn [, {name = 'apply'}])", "fn(row) called once per row (row = column name → value), the results as a column (pandas apply(axis=1)). The slow path: prefer expressions."),
            "corr": ("df:corr([{columns =, method = 'pearson'|'spearman'}])", "Correlation matrix as a frame (a `column` name column, then one column per input), pairwise-complete like pandas."),
            "crosstab": ("df:crosstab(index, columns [, {normalize = true|'all'|'index'|'columns'}])", "Counts (or shares) of each pair of values of two columns; sorted labels; rows with a null left out (pandas crosstab)."),
            "melt": ("df:melt{id_vars =, value_vars =, var_name = 'variable', value_name = 'value'}", "Wide to long: one row per (row, value column), grouped by value column (pandas melt)."),
            "nlargest": ("df:nlargest(n, columns)", "The n rows with the largest values of the column(s), ties in input order (pandas nlargest, keep='first')."),
            "nsmallest": ("df:nsmallest(n, columns)", "The n rows with the smallest values of the column(s)."),
            "slice": ("df:slice(i [, j])", "Rows i…j (1-based, inclusive; negative counts from the end, like string.sub)."),
            "join_asof": ("df:join_asof(other, {on =, right_on =, by =, right_by =, direction = 'backward'|'forward'|'nearest', tolerance =, allow_exact_matches = true, suffix = '_right'})",
                          "Every row with the other frame's last row at or before (backward), first at or after (forward) or closest (nearest) `on` value, within the same `by` keys and at most `tolerance` away (days for dates/timestamps) — pandas merge_asof, without needing sorted input."),
            "join_range": ("df:join_range(other, {on =, lower =, upper =, by =, right_by =, closed = 'left'|'both', how = 'left'|'inner', suffix =})",
                           "Each row with every row of `other` (same `by` keys) whose [lower, upper) interval contains `on` (closed = 'both': [lower, upper]); how = 'left' keeps rows without a match."),
        ],
        "cl.Column": [
            "name": ("col:name()", "The column's name."),
            "type": ("col:type()", "The column's type: int, float, string, bool, date, timestamp or category."),
            "to_table": ("col:to_table()", "The values as a Lua array (nulls are nil)."),
            "sum": ("col:sum()", "Sum of non-null values (int columns stay int and refuse overflow)."),
            "mean": ("col:mean()", "Mean of non-null values."),
            "std": ("col:std([ddof = 1])", "Standard deviation of non-null values."),
            "min": ("col:min()", "Smallest non-null value."),
            "max": ("col:max()", "Largest non-null value."),
            "quantile": ("col:quantile(q)", "The q-quantile (linear interpolation, like pandas)."),
            "unique": ("col:unique()", "Distinct values as a column, in first-seen order."),
            "nunique": ("col:nunique()", "Number of distinct non-null values."),
            "value_counts": ("col:value_counts([{normalize = false, dropna = true}])", "A frame of value and count (or proportion with normalize = true, as pandas), most frequent first; dropna = false counts nulls too."),
            "is_null": ("col:is_null()", "A bool column: true where the value is null."),
            "is_not_null": ("col:is_not_null()", "A bool column: true where the value is not null."),
            "skew": ("col:skew()", "Sample skewness, bias-corrected (pandas Series.skew); NaN below 3 values."),
            "kurtosis": ("col:kurtosis()", "Sample excess kurtosis, bias-corrected (pandas Series.kurt); NaN below 4 values."),
            "map": ("col:map(fn)", "fn(value) once per value, the results as a column (pandas Series.map with a function). The slow path: prefer expressions."),
            "corr": ("col:corr(other [, {method = 'pearson'|'spearman'}])", "Correlation with another column or array over rows where both are present (pandas Series.corr)."),
            "eq": ("col:eq(v)", "A bool column: value == v (null stays null). Also ne, lt, le, gt, ge; arithmetic + - * / // % works with operators (df.a * df.b, df.a + 1)."),
            "ne": ("col:ne(v)", "A bool column: value ~= v."),
            "lt": ("col:lt(v)", "A bool column: value < v."),
            "le": ("col:le(v)", "A bool column: value <= v."),
            "gt": ("col:gt(v)", "A bool column: value > v."),
            "ge": ("col:ge(v)", "A bool column: value >= v."),
        ].merging(functionDocs("col")) { a, _ in a },
        "cl.Expr": [
            "eq": ("expr:eq(v)", "expr == v (Lua turns == into a boolean, so comparisons are methods)."),
            "ne": ("expr:ne(v)", "expr ~= v."),
            "lt": ("expr:lt(v)", "expr < v."),
            "le": ("expr:le(v)", "expr <= v."),
            "gt": ("expr:gt(v)", "expr > v."),
            "ge": ("expr:ge(v)", "expr >= v."),
            "is_null": ("expr:is_null()", "True where the value is null."),
            "is_not_null": ("expr:is_not_null()", "True where the value is not null."),
            "isin": ("expr:isin{v1, v2, ...}", "True where the value is one of these."),
            "between": ("expr:between(lo, hi)", "lo <= expr <= hi."),
            "days_until": ("expr:days_until(date)", "Days from the value to `date` (a date text or expression)."),
            "days_since": ("expr:days_since(date)", "Days from `date` to the value."),
            "over": ("expr:over(keys [, {order_by =, descending = false}])", "Evaluates window functions (shift, lag, lead, cumsum, rank, row_number) inside each group of `keys` (a name or array; nil for one group), rows ordered by `order_by` (stable); results return to the input rows, like polars' over / SQL OVER (PARTITION BY … ORDER BY …)."),
        ].merging(functionDocs("expr")) { a, _ in a },
        "cl.GroupBy": [
            "agg": ("gb:agg{out = 'count' | {'op', 'column' [, q]}, ...} [, {sort = true}]",
                    "One row per group: ops count, sum, mean, min, max, std, nunique, first, last, median, quantile."),
        ],
        "cl.Prep": [
            "fit": ("prep:fit(df)", "Learns the transform's parameters from df; returns the transform."),
            "transform": ("prep:transform(df)", "Applies the fitted transform to df."),
            "fit_transform": ("prep:fit_transform(df)", "fit then transform on the same frame."),
            "to_json": ("prep:to_json()", "The fitted parameters as JSON text."),
        ],
        "cl.Tensor": [
            "shape": ("t:shape()", "The sizes of the dimensions, e.g. {users, days, channels}."),
            "size": ("t:size(dim)", "The size of dimension dim (1-based)."),
            "slice": ("t:slice(from [, to])", "Rows from…to (1-based, inclusive) of the first dimension as a new tensor."),
            "rows": ("t:rows(indices)", "The rows at these 1-based indices (array or column), in that order."),
            "to_table": ("t:to_table()", "The values as nested Lua arrays (at most 10^6 values)."),
        ],
        "cl.nn.Module": [
            "add": ("net:add(layer)", "Appends a layer to a sequential network; returns net (calls chain)."),
            "fit": ("net:fit{x =, static =, y =, epochs = 10, batch_size = 256, eval = {x =, static =, y =}, early_stopping = n | {patience =, min_delta =, restore_best = true}, seed =, threads =, optimizer = cl.nn.adam{}, schedule = {kind = 'step'|'cosine', …}, clip_norm =, pos_weight = 1, verbose = true}", "Trains on binary cross-entropy (logits) with mini-batches shuffled by seed; prints a progress bar (epoch, loss, eval AUC, ETA); returns the history frame (epoch, loss, eval_loss, eval_auc, lr, seconds). Bit-identical for a seed and thread count."),
            "forward": ("net:forward(x [, static])", "The network's output for x (a cl.Tensor or frame) as a cl.Tensor (logits after fit)."),
            "predict_proba": ("net:predict_proba(x [, static])", "P(y = 1) per row as a column 'p' (trained networks)."),
            "save": ("net:save(path)", "Writes the trained network (layers, weights, history; versioned format) to path; read back with cl.nn.load."),
            "n_parameters": ("net:n_parameters()", "Number of trainable values."),
            "summary": ("net:summary()", "The layers on one line, e.g. Sequential(GRU(8 → 64) → last_step → Linear(64 → 1))."),
            "history": ("net:history()", "The training history frame of the last fits (epoch, loss, eval_loss, eval_auc, lr, seconds)."),
        ],
        "cl.nn.Optimizer": [:],
        "cl.KMeans": [
            "fit": ("km:fit(df [, {features =}])", "Fits k-means on the feature columns (default: all numeric; no nulls); returns the model. Then km.inertia, km.centers (frame), km.labels (1…k), km.n_iter."),
            "fit_predict": ("km:fit_predict(df [, {features =}])", "fit, then the training labels as a column 'cluster' (1…k)."),
            "predict": ("km:predict(df)", "The nearest centre of each row as a column 'cluster' (1…k), on the fitted features."),
            "score": ("km:score(df)", "Minus the summed squared distance of df's rows to their nearest centres (scikit-learn's score)."),
        ],
        "cl.PCA": [
            "fit": ("pca:fit(df [, {features =}])", "Learns the mean and principal components (default: all numeric columns); returns the PCA. Then pca.components (frame), pca.explained_variance, pca.explained_variance_ratio, pca.mean."),
            "transform": ("pca:transform(df)", "Component scores as a frame pc1, pc2, … on the fitted features."),
            "fit_transform": ("pca:fit_transform(df [, {features =}])", "fit, then transform the same frame."),
        ],
        "cl.TfIdf": [
            "fit": ("tfidf:fit(texts)", "Learns the vocabulary and idf from a text column or array of strings; returns the vectorizer. Then tfidf.vocabulary, tfidf.idf."),
            "transform": ("tfidf:transform(texts)", "TF-IDF weights as a long frame doc (1-based), term, tfidf (each doc's row L2-normalised)."),
            "fit_transform": ("tfidf:fit_transform(texts)", "fit, then transform the same texts."),
            "similarity": ("tfidf:similarity(a, b)", "Cosine similarity of a[i] and b[i] for each i, as an array."),
        ],
        "cl.Recommender": [
            "fit": ("rec:fit(interactions, {user = 'user_id', item = 'item', weight =})", "Learns from an interactions frame (ids text or integers; weight numeric ≥ 0, default 1 per row; duplicates summed); returns the recommender."),
            "recommend": ("rec:recommend(users, {k = 10, exclude_seen = true})", "Top-k items for each user (column, array or one id) as a frame user_id, rank, item, score, reason."),
            "similar_items": ("rec:similar_items(item, {k = 10})", "The k most similar items to `item` (item_knn: co-consumption; content: text) as a frame item, similarity."),
            "save": ("rec:save(path)", "Writes the fitted recommender as JSON; cl.recommend.load(path) reads it back."),
        ],
        "cl.EventLog": [
            "nevents": ("log:nevents()", "Number of events (also #log)."),
            "nusers": ("log:nusers()", "Number of distinct users."),
            "types": ("log:types()", "Event type names, in first-seen order."),
            "range": ("log:range()", "First and last event time as text."),
        ],
        "cl.Subscriptions": [
            "nterms": ("subs:nterms()", "Number of terms (also #subs)."),
            "nusers": ("subs:nusers()", "Number of distinct users."),
            "plans": ("subs:plans()", "Plan names."),
        ],
        "cl.Model": ModelBinding.docs,   // common methods and each kind's own (Models/ModelBinding.swift)
        "cl.CLVModel": CLVModule.methodDocs,   // Survival/CLVModule.swift
    ]
}
