"""Task category (大气/水/土壤/固废/生态/气候/执法/…) from keywords in
`data/config/categories.json`; the category with the most keyword hits wins."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _config() -> dict:
    from onemap import config

    return config.load("categories.json")


def category_names() -> list[str]:
    cfg = _config()
    return [c["name"] for c in cfg["categories"]] + [cfg["default"]]


def classify(text: str) -> str:
    cfg = _config()
    best, best_score = cfg["default"], 0
    for cat in cfg["categories"]:
        score = sum(text.count(k) for k in cat["keywords"])
        if score > best_score:
            best, best_score = cat["name"], score
    return best
