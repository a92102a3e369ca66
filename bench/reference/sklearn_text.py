"""Reference rows for `npm run bench:text -- --reference`: the scikit-learn models the issue quotes.

Reads a folder written by bench/text.ts (test.jsonl, plan.json listing training files), fits each model
on each training file with scikit-learn's defaults (one thread), and prints one JSON object per line:
{"model", "file", "accuracy", "seconds"}. Needs python3 with scikit-learn (Debian: python3-sklearn).
"""
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC


def read(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(row["label"])
    return texts, np.array(labels)


MODELS = {
    # The "scikit-learn TF-IDF + LogisticRegression": unigrams+bigrams, every other setting the default.
    "scikit-learn TF-IDF 1-2 grams + LogisticRegression (defaults, C=1)": lambda: LogisticRegression(max_iter=1000),
    "scikit-learn TF-IDF 1-2 grams + LogisticRegression (C=100)": lambda: LogisticRegression(C=100, max_iter=1000),
    "scikit-learn TF-IDF 1-2 grams + LinearSVC (defaults)": lambda: LinearSVC(),
}


def main(folder):
    plan = json.load(open(f"{folder}/plan.json"))
    test_texts, test_labels = read(f"{folder}/test.jsonl")
    for name, make in MODELS.items():
        for file in plan["train"]:
            texts, labels = read(f"{folder}/{file}")
            start = time.perf_counter()
            vectorizer = TfidfVectorizer(ngram_range=(1, 2))
            model = make().fit(vectorizer.fit_transform(texts), labels)
            seconds = time.perf_counter() - start
            accuracy = float((model.predict(vectorizer.transform(test_texts)) == test_labels).mean())
            print(json.dumps({"model": name, "file": file, "accuracy": accuracy, "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
