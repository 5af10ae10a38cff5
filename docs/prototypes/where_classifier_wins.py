import sys, numpy as np, pandas as pd
from tsgan.api import load
from tsgan.evaluate.tables import sample_like_test
from tsgan.evaluate import metrics as M
from sklearn.model_selection import cross_val_predict, StratifiedKFold
from sklearn.ensemble import HistGradientBoostingClassifier
gan = load(sys.argv[1])
test = gan.test_data.to_numpy(np.float64); tec = gan.test_conditions.reset_index(drop=True)
synth = sample_like_test(gan, len(test), seed=0)
n=len(test)
X = M.classifier_features(np.vstack([test, synth])); y = np.r_[np.ones(n), np.zeros(n)]
acc = np.zeros(2*n)
for rep in range(5):
    p = cross_val_predict(HistGradientBoostingClassifier(max_iter=50, max_leaf_nodes=15, early_stopping=False, random_state=rep), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=rep), method="predict_proba")[:,1]
    acc += ((p>0.5)==y)/5
df = pd.DataFrame({"acc": acc, "real": y, "level": np.r_[tec["level"], tec["level"]], "year": np.r_[gan.test_data.index.year, gan.test_data.index.year],
   "month": np.r_[tec["month"], tec["month"]], "min": np.r_[test.min(1), synth.min(1)], "mean": np.r_[test.mean(1), synth.mean(1)]})
print("overall acc", df.acc.mean().round(3))
df["levelq"] = pd.qcut(df.level, 5)
print(df.groupby("levelq").acc.agg(["mean","size"]).round(3))
print(df.groupby("year").acc.agg(["mean","size"]).round(3))
df["neg"] = df["min"] < 0
print(df.groupby(["neg","real"]).acc.agg(["mean","size"]).round(3))
df["season"] = df.month.map(lambda m: "winter" if m in (11,12,1,2) else "summer" if m in (5,6,7,8) else "shoulder")
print(df.groupby("season").acc.agg(["mean","size"]).round(3))
print("weekday", df.assign(wd=np.r_[tec["weekday"], tec["weekday"]]).groupby("wd").acc.mean().round(3).to_dict())
