#!/usr/bin/env python3
"""Writes judged shopper queries for the held-out newchic-fr catalog, in the
format of `search::eval::parse_judgments`, judged FROM THE TRUTH FIELDS of
newchic-fr.jsonl (category, gender, metal colour: see make_truth.py), never
from text match.

    python3 bench/truth/make_queries.py [DATASETS_DIR]   # after make_truth.py

A judged query can only name a product through the catalog's own fields,
and the truth fields are not among them, so each grade is written as a
list of handles (`3: handle~1513785 ; 3: handle~1689722 ; ...`): Loupe
imports newchic-fr-jewelry.csv with the listing `id` as the handle. The
judgment language matches `handle~X` when a handle word starts with X, so
when X is a prefix of another listing's id the condition also says
`handle!~Y` for that id.

Grades: 3 exactly what was asked, 2 close (the right type but, say, the
colour is not known), 1 related (the right type, wrong detail), 0 otherwise.
"Femme" / "women" queries grade products whose truth is not men (the
catalog's unmarked subcategories are its women's section; make_truth.py
writes no gender for them, so "not men" is what the truth can say).
Stones are not in this catalog's truth, so no query asks for one (a "perle"
query judged on type alone would reward ignoring the word).

REES46 gets no judged queries: its products have no titles or descriptions
(Loupe imports the product id as the title), so there is no text to search.
"""

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cat(*cs):
    return lambda t: t.get("category") in cs


def men(t):
    return t.get("gender") == "men"


def not_men(t):
    return t.get("gender") != "men"


def couple(t):
    return t.get("gender") == "unisex"


def metal(kind, color=None):
    def f(t):
        for m in t.get("metals", []):
            if m.get("kind") == kind and (color is None or color in m.get("colors", [])):
                return True
        return False

    return f


def metal_known(t):
    return bool(t.get("metals"))


def all_of(*ps):
    return lambda t: all(p(t) for p in ps)


def any_jewel(t):
    return "category" in t


GOLD = metal("gold", "yellow")
ROSE = metal("gold", "rose")
SILVER = metal("silver")
STEEL = metal("stainless_steel")

# (query, [(grade, predicate), ...]); the first predicate a product meets gives its grade.
QUERIES = [
    # French, as a shopper on the French site types them
    ("collier or femme", [(3, all_of(cat("necklace"), GOLD, not_men)), (1, all_of(cat("necklace"), not_men))]),
    ("bague argent", [(3, all_of(cat("ring"), SILVER)), (1, cat("ring"))]),
    ("bague or rose", [(3, all_of(cat("ring"), ROSE)), (1, cat("ring"))]),
    ("collier argent", [(3, all_of(cat("necklace"), SILVER)), (1, cat("necklace"))]),
    ("bracelet or", [(3, all_of(cat("bracelet"), GOLD)), (1, cat("bracelet"))]),
    ("boucles d'oreilles or", [(3, all_of(cat("earrings"), GOLD)), (1, cat("earrings"))]),
    ("boucles d'oreilles argent", [(3, all_of(cat("earrings"), SILVER)), (1, cat("earrings"))]),
    ("boucles d'oreilles", [(3, cat("earrings"))]),
    ("bracelet homme", [(3, all_of(cat("bracelet"), men)), (1, cat("bracelet"))]),
    ("bague homme", [(3, all_of(cat("ring"), men)), (1, cat("ring"))]),
    ("collier homme", [(3, all_of(cat("necklace"), men)), (1, cat("necklace"))]),
    ("collier homme acier inoxydable", [(3, all_of(cat("necklace"), men, STEEL)), (2, all_of(cat("necklace"), men))]),
    ("bijoux homme", [(3, all_of(any_jewel, men))]),
    ("bracelet de cheville", [(3, cat("anklet"))]),
    ("chaîne de cheville or", [(3, all_of(cat("anklet"), GOLD)), (1, cat("anklet"))]),
    ("broche", [(3, cat("brooch"))]),
    ("broche or", [(3, all_of(cat("brooch"), GOLD)), (1, cat("brooch"))]),
    ("parure de bijoux", [(3, cat("set"))]),
    ("bagues de couple", [(3, all_of(cat("ring"), couple)), (1, cat("ring"))]),
    ("bracelets couple", [(3, all_of(cat("bracelet"), couple)), (1, cat("bracelet"))]),
    ("bague femme argent", [(3, all_of(cat("ring"), SILVER, not_men)), (1, all_of(cat("ring"), not_men))]),
    ("cadeau pour mon mari", [(3, all_of(any_jewel, men))]),
    ("cadeau pour lui", [(3, all_of(any_jewel, men))]),
    # Typos and missing accents
    ("colier or", [(3, all_of(cat("necklace"), GOLD)), (1, cat("necklace"))]),
    ("boucle doreille", [(3, cat("earrings"))]),
    ("braclet homme", [(3, all_of(cat("bracelet"), men)), (1, cat("bracelet"))]),
    ("bage argent", [(3, all_of(cat("ring"), SILVER)), (1, cat("ring"))]),
    # English, as a visitor who does not speak French types them
    ("gold necklace", [(3, all_of(cat("necklace"), GOLD)), (1, cat("necklace"))]),
    ("silver ring", [(3, all_of(cat("ring"), SILVER)), (1, cat("ring"))]),
    ("rose gold earrings", [(3, all_of(cat("earrings"), ROSE)), (1, cat("earrings"))]),
    ("men's bracelet", [(3, all_of(cat("bracelet"), men)), (1, cat("bracelet"))]),
    ("mens ring", [(3, all_of(cat("ring"), men)), (1, cat("ring"))]),
    ("anklet", [(3, cat("anklet"))]),
    ("brooch", [(3, cat("brooch"))]),
    ("gift for my husband", [(3, all_of(any_jewel, men))]),
    ("couple rings", [(3, all_of(cat("ring"), couple)), (1, cat("ring"))]),
]


def main():
    datasets = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "datasets")
    with open(os.path.join(datasets, "newchic-fr-jewelry.csv"), newline="", encoding="utf-8") as f:
        ids = sorted({r["id"].strip() for r in csv.DictReader(f)})
    with open(os.path.join(HERE, "newchic-fr.jsonl"), encoding="utf-8") as f:
        truth = [json.loads(line) for line in f if line.strip()]

    # Ids that extend another id (`1234567` extends `123456`), by the shorter id.
    extends = {}
    for i in ids:
        for n in range(1, len(i)):
            extends.setdefault(i[:n], []).append(i)

    def cond(handle):
        longer = extends.get(handle, [])
        return " & ".join([f"handle~{handle}"] + [f"handle!~{i}" for i in longer])

    out = [
        "# Judged queries for the HELD-OUT newchic-fr catalog (../shared/datasets/newchic-fr-jewelry.csv),",
        "# generated by bench/truth/make_queries.py from bench/truth/newchic-fr.jsonl (truth fields,",
        "# not text). Format: see `search::eval`. Do not tune Loupe on these.",
    ]
    for query, rules in QUERIES:
        parts = []
        counts = []
        graded = set()
        for grade, pred in rules:
            hs = [t["sku"] for t in truth if t["sku"] not in graded and pred(t)]
            graded.update(hs)
            counts.append(f"{grade}:{len(hs)}")
            parts.extend(f"{grade}: {cond(h)}" for h in hs)
        assert parts, f"no product is relevant to {query!r}"
        out.append(f"# {query}: {' '.join(counts)}")
        out.append(f"{query} => " + " ; ".join(parts))
    path = os.path.join(HERE, "newchic-fr-queries.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"newchic-fr-queries.txt: {len(QUERIES)} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
