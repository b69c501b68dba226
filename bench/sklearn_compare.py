"""Same-split reference figures from scikit-learn for the leadgate bench.

Reads Leads.csv and the split the bench exported (bench/out/split.json: train/test row indices),
fits scikit-learn's L2 LogisticRegression (one-hot + standardised numerics, as a practitioner would)
and HistGradientBoostingClassifier, and prints one JSON object of metrics per model.
Not part of the tests: needs Debian's python3-sklearn (`apt-get install -y python3-sklearn`).
"""
import json
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

LEAKS = ["Tags", "Lead Quality", "Lead Profile", "Last Activity", "Last Notable Activity",
         "Asymmetrique Activity Index", "Asymmetrique Profile Index",
         "Asymmetrique Activity Score", "Asymmetrique Profile Score"]


def ece(y, p, bins=10):
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(y[m].mean() - p[m].mean())
    return total / len(y)


def metrics(y, p):
    order = np.argsort(-p, kind="stable")
    top = int(np.ceil(len(y) / 10))
    return {"auc": roc_auc_score(y, p), "pr_auc": average_precision_score(y, p), "log_loss": log_loss(y, p),
            "brier": brier_score_loss(y, p), "ece": ece(y, p),
            "lift_top_decile": y[order[:top]].mean() / y.mean()}


def main(csv_path, split_path):
    df = pd.read_csv(csv_path)
    split = json.load(open(split_path))
    y = df["Converted"].to_numpy()
    X = df.drop(columns=LEAKS + ["Converted", "Prospect ID", "Lead Number"])
    numeric = ["TotalVisits", "Total Time Spent on Website", "Page Views Per Visit"]
    categorical = [c for c in X.columns if c not in numeric]
    X[categorical] = X[categorical].fillna("(missing)").astype(str)
    train, test = np.array(split["train"]), np.array(split["test"])
    out = {}
    lr = make_pipeline(ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=10), categorical)]),
        LogisticRegression(C=1.0, max_iter=5000))
    lr.fit(X.iloc[train], y[train])
    out["sklearn_logistic_regression"] = metrics(y[test], lr.predict_proba(X.iloc[test])[:, 1])
    gb = make_pipeline(ColumnTransformer([
        ("num", "passthrough", numeric),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), categorical)]),
        HistGradientBoostingClassifier(categorical_features=list(range(len(numeric), len(numeric) + len(categorical))),
                                       random_state=42))
    gb.fit(X.iloc[train], y[train])
    out["sklearn_gradient_boosting"] = metrics(y[test], gb.predict_proba(X.iloc[test])[:, 1])
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
