"""Reference TF-IDF values for Tests/ChurnCoreTests/Recommend/TfIdfTests.swift:
scikit-learn's TfidfVectorizer (defaults; and sublinear_tf=True), on a fixed
Latin corpus with the default word analyzer and a pure-CJK corpus with
analyzer="char", ngram_range=(2, 2) (what ChurnLab's CJK bigrams equal).
Run: .venv-ref/bin/python scripts/reference/tfidf_reference.py
"""
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

print("sklearn", sklearn.__version__)
latin = ["Python Basics: variables, loops and functions",
         "Advanced Python: decorators, generators and async",
         "Data analysis with pandas and Python",
         "Marketing basics for small business owners"]
for sub in (False, True):
    v = TfidfVectorizer(sublinear_tf=sub)
    m = v.fit_transform(latin + ["python python python loops"])
    print("latin sublinear", sub, "vocab", list(v.get_feature_names_out()))
    print("  idf", v.idf_.tolist())
    for r in range(m.shape[0]):
        row = m.getrow(r)
        print("  row", r, sorted(zip(row.indices.tolist(), row.data.tolist())))
cjk = ["机器学习入门", "深度学习实战", "机器学习与深度学习", "产品经理入门"]
v = TfidfVectorizer(analyzer="char", ngram_range=(2, 2))
m = v.fit_transform(cjk)
print("cjk vocab", list(v.get_feature_names_out()))
print("  idf", v.idf_.tolist())
for r in range(m.shape[0]):
    row = m.getrow(r)
    print("  row", r, sorted(zip(row.indices.tolist(), row.data.tolist())))
