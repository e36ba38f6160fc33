#!/usr/bin/env python3
"""Builds the labelled truth files for `loupe eval normalize` (issue 12).

Writes JSON Lines next to this script, one object per product, keyed by
`handle` or `sku` (whatever Loupe imports as the product's handle or a
variant's SKU), with any of `category`, `gender`, `metals`, `stones` in
Loupe's canonical vocabulary (`model::Category`, `model::Gender`, the metal
and stone kinds of crates/catalog/vocab/jewelry.toml). A field is written
only when the source states it; a field left out is not scored.

    python3 bench/truth/make_truth.py [DATASETS_DIR]   # default ../shared/datasets

Sources and mappings (every mapping is a table below, so it can be read and
argued with):

- rees46-products.jsonl from rees46-jewelry-products.csv, keyed by
  `product_id` (Loupe's SKU and handle for this file):
  - category_code -> category (REES46_CATEGORY); `jewelry.souvenir` and an
    empty code are not scored.
  - gender: f -> women, m -> men; empty is not scored.
  - main_metal -> metal kind (gold, silver, platinum); main_color -> the
    metal's colour, for gold only (REES46's `red` gold is Russian "красное
    золото", i.e. rose gold; white and yellow as written; silver and
    platinum have no colour in Loupe's model; `unknown-color`, `black` are
    not scored).
  - main_gem -> one stone kind (REES46_GEM); `mix`, `corundum_synthetic` and
    an empty gem are not scored (an empty main_gem may mean "no stone" or
    "not recorded": the data set does not say which).
- newchic-fr.jsonl from newchic-fr-jewelry.csv, keyed by `id`:
  - only rows whose `subcategory` names a jewelry type are kept
    (NEWCHIC_SUBCATEGORY); watches, hair accessories, keyrings, boxes,
    displays, DIY supplies, masks, bow ties and the material-named groups
    (`Fine Copper`, `Zinc Alloy`, `Bijouterie`) are dropped.
  - category and gender from the subcategory: `... pour homme` -> men,
    `... de couple` -> unisex; a subcategory that names no gender gives no
    gender (the site files those under women's jewelry, but the row does
    not say so, so it is not scored).
  - metals from `variation_0_color` and `variation_1_color` (the colours the
    listing is sold in) when each non-empty one is a metal colour
    (NEWCHIC_METAL_COLOR: Or/Gold -> gold, yellow; Or rose -> gold, rose;
    argent/Silver -> silver; ...); a listing with any non-metal colour
    (Noir, Bleu, blanc, 01, ...) gets no metal truth, since its colour may
    be the stone's or the cord's. This is costume jewelry: "gold" here is
    the tone Loupe would model as a gold metal (plated), no karat.
  - a listing id that appears twice with different subcategories is
    dropped; identical repeats are written once.
- bluestone.jsonl from bluestone-labels.tsv, labelled by hand from the
  titles (see that file's header); keyed by the handle Loupe gives the
  listing when imported with the --map recorded in BASELINE.md.
- cartier.jsonl from cartier-rings.csv's `tags` column (metal and stones),
  keyed by `ref` (leading space stripped); no karat (the tags do not say
  it, only the descriptions); category ring for all (the file
  is Cartier's ring catalog; wedding bands and engagement rings are told
  apart in Loupe's taxonomy, so category is written only where the title
  says which: CARTIER_TITLE_CATEGORY).
"""

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

REES46_CATEGORY = {
    "jewelry.earring": "earrings",
    "jewelry.stud": "earrings",
    "jewelry.ring": "ring",
    "jewelry.pendant": "pendant",
    "jewelry.bracelet": "bracelet",
    "jewelry.necklace": "necklace",
    "jewelry.brooch": "brooch",
    "electronics.clocks": "watch",
}
REES46_GENDER = {"f": "women", "m": "men"}
REES46_METAL = {"gold": "gold", "silver": "silver", "platinum": "platinum"}
REES46_GOLD_COLOR = {"red": "rose", "white": "white", "yellow": "yellow"}
REES46_GEM = {
    "diamond": "diamond",
    "fianit": "cubic_zirconia",  # Russian фианит = cubic zirconia
    "topaz": "topaz",
    "pearl": "pearl",
    "garnet": "garnet",
    "garnet_synthetic": "garnet",
    "rhodolite": "garnet",  # a garnet variety
    "sapphire": "sapphire",
    "sapphire_geothermal": "sapphire",  # hydrothermal (lab) sapphire
    "amethyst": "amethyst",
    "emerald": "emerald",
    "emerald_geothermal": "emerald",  # hydrothermal (lab) emerald
    "ruby": "ruby",
    "quartz": "quartz",
    "quartz_smoky": "quartz",
    "chrysolite": "peridot",  # chrysolite is the trade name of peridot
    "amber": "amber",
    "turquoise": "turquoise",
    "spinel": "spinel",
    "agate": "agate",
    "citrine": "citrine",
    "nacre": "mother_of_pearl",
    "sitall": "crystal",  # glass-ceramic simulant; Loupe's `crystal` kind
    "nanocrystal": "crystal",  # glass simulant
    "tourmaline": "tourmaline",
    "coral": "coral",
    "onyx": "onyx",
    "chrysoprase": "chrysoprase",
}

# subcategory -> (category or None, gender or None)
NEWCHIC_SUBCATEGORY = {
    "Boucles d'oreilles": ("earrings", None),
    "Boucles d'oreilles pour homme": ("earrings", "men"),
    "Colliers": ("necklace", None),
    "Colliers pour homme": ("necklace", "men"),
    "Colliers de couple": ("necklace", "unisex"),
    "Bracelets": ("bracelet", None),
    "Bracelets pour homme": ("bracelet", "men"),
    "Bracelets de couple": ("bracelet", "unisex"),
    "Bracelets de cheville": ("anklet", None),
    "Bagues": ("ring", None),
    "Bagues pour homme": ("ring", "men"),
    "Bagues de couple": ("ring", "unisex"),
    "Broches et épingles": ("brooch", None),
    "Sets de bijoux": ("set", None),
    "Pendentifs": ("pendant", None),
    # Body jewelry has no canonical category: kept for its metal truth only.
    "Bijoux de corps": (None, None),
}
# variation colour (lower-cased, trimmed) -> metal
NEWCHIC_METAL_COLOR = {
    "or": {"kind": "gold", "colors": ["yellow"]},
    "gold": {"kind": "gold", "colors": ["yellow"]},
    "d'or": {"kind": "gold", "colors": ["yellow"]},
    "antique gold": {"kind": "gold", "colors": ["yellow"]},
    "or rose": {"kind": "gold", "colors": ["rose"]},
    "rose gold": {"kind": "gold", "colors": ["rose"]},
    "argent": {"kind": "silver"},
    "silver": {"kind": "silver"},
    "argent ancien": {"kind": "silver"},
    "ancient silver": {"kind": "silver"},
    "antique silver": {"kind": "silver"},
    "couleur acier": {"kind": "stainless_steel"},
    "bronze": {"kind": "bronze"},
    "bronze antique": {"kind": "bronze"},
}

CARTIER_METAL = {
    "yellow gold": {"kind": "gold", "colors": ["yellow"]},
    "white gold": {"kind": "gold", "colors": ["white"]},
    "non-rhodiumized white gold": {"kind": "gold", "colors": ["white"]},
    "pink gold": {"kind": "gold", "colors": ["rose"]},
    "rose gold": {"kind": "gold", "colors": ["rose"]},
    "platinum": {"kind": "platinum"},
}
CARTIER_STONE = {
    "diamonds": "diamond",
    "diamond": "diamond",
    "emeralds": "emerald",
    "emerald": "emerald",
    "sapphires": "sapphire",
    "sapphire": "sapphire",
    "rubies": "ruby",
    "ruby": "ruby",
    "onyx": "onyx",
    "tsavorite garnets": "garnet",
    "tsavorite garnet": "garnet",
    "carnelians": "carnelian",
    "amazonite": "amazonite",  # not in Loupe's vocabulary today
    "black ceramic": None,
    "garnets": "garnet",
    "spessartite garnets": "garnet",
    "amethysts": "amethyst",
    "amethyst": "amethyst",
    "aquamarines": "aquamarine",
    "aquamarine": "aquamarine",
    "lacquer": None,  # not a stone
    "ceramic": None,
    "chrysoprase": "chrysoprase",
    "tourmalines": "tourmaline",
    "peridots": "peridot",
    "coral": "coral",
    "mother-of-pearl": "mother_of_pearl",
    "pearls": "pearl",
    "pearl": "pearl",
    "lapis lazuli": "lapis_lazuli",
    "malachite": "malachite",
    "chalcedony": "chalcedony",
    "citrine": "citrine",
    "opal": "opal",
    "spinels": "spinel",
    "tanzanite": "tanzanite",
    "carnelian": "carnelian",
    "obsidian": "obsidian",
    "black lacquer": None,
}
# A title word that names a category more precise than `ring`.
CARTIER_TITLE_CATEGORY = [("wedding band", "wedding_band"), ("engagement ring", "engagement_ring")]


def write(name, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{name}: {len(rows)} rows", file=sys.stderr)


def rees46(datasets):
    rows = []
    with open(os.path.join(datasets, "rees46-jewelry-products.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            t = {"sku": r["product_id"].strip()}
            if r["category_code"] in REES46_CATEGORY:
                t["category"] = REES46_CATEGORY[r["category_code"]]
            if r["gender"] in REES46_GENDER:
                t["gender"] = REES46_GENDER[r["gender"]]
            metal = REES46_METAL.get(r["main_metal"])
            if metal:
                m = {"kind": metal}
                if metal == "gold" and r["main_color"] in REES46_GOLD_COLOR:
                    m["colors"] = [REES46_GOLD_COLOR[r["main_color"]]]
                t["metals"] = [m]
            gem = REES46_GEM.get(r["main_gem"])
            if gem:
                t["stones"] = [gem]
            if len(t) > 1:
                rows.append(t)
    return rows


def newchic(datasets):
    by_id = {}
    dropped = set()
    with open(os.path.join(datasets, "newchic-fr-jewelry.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            sub = r["subcategory"].strip()
            if sub not in NEWCHIC_SUBCATEGORY:
                continue
            category, gender = NEWCHIC_SUBCATEGORY[sub]
            t = {"sku": r["id"].strip()}
            if category:
                t["category"] = category
            if gender:
                t["gender"] = gender
            colors = [
                r[c].replace("&#39;", "'").replace("\xa0", " ").strip().lower()
                for c in ("variation_0_color", "variation_1_color")
            ]
            colors = [c for c in colors if c]
            if colors and all(c in NEWCHIC_METAL_COLOR for c in colors):
                metals = []
                for c in colors:
                    m = NEWCHIC_METAL_COLOR[c]
                    same = next((x for x in metals if x["kind"] == m["kind"]), None)
                    if same is None:
                        metals.append(json.loads(json.dumps(m)))
                    else:
                        for col in m.get("colors", []):
                            if col not in same.setdefault("colors", []):
                                same["colors"].append(col)
                t["metals"] = metals
            key = t["sku"]
            if key in by_id and by_id[key] != t:
                dropped.add(key)
            by_id.setdefault(key, t)
    rows = [t for k, t in by_id.items() if k not in dropped and len(t) > 1]
    print(f"newchic: {len(dropped)} ids dropped (conflicting repeats)", file=sys.stderr)
    return rows


def bluestone():
    rows = []
    with open(os.path.join(HERE, "bluestone-labels.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            handle, _title, category, gender, stones = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
            if handle == "handle":
                continue
            t = {"handle": handle}
            if category:
                t["category"] = category
            if gender:
                t["gender"] = gender
            if stones:
                t["stones"] = stones.split("+")
            rows.append(t)
    return rows


def cartier(datasets):
    rows = []
    unknown = set()
    with open(os.path.join(datasets, "cartier-rings.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            t = {"handle": r["ref"].strip()}
            title = r["title"].lower()
            t["category"] = next((c for w, c in CARTIER_TITLE_CATEGORY if w in title), "ring")
            metals, stones, clean = [], [], True
            for tag in (x.strip().lower() for x in r["tags"].split(",")):
                if not tag:
                    continue
                if tag in CARTIER_METAL:
                    m = CARTIER_METAL[tag]
                    same = next((x for x in metals if x["kind"] == m["kind"]), None)
                    if same is None:
                        metals.append(json.loads(json.dumps(m)))
                    else:
                        same["colors"] = same.get("colors", []) + m.get("colors", [])
                elif tag in CARTIER_STONE:
                    if CARTIER_STONE[tag] and CARTIER_STONE[tag] not in stones:
                        stones.append(CARTIER_STONE[tag])
                else:
                    unknown.add(tag)
                    clean = False
            if metals:
                t["metals"] = metals
            # A tag the table does not know may be a stone: then the stone
            # list is not known to be complete and is not scored.
            if clean:
                t["stones"] = stones
            rows.append(t)
    if unknown:
        print(f"cartier: tags not mapped (stones left unscored there): {sorted(unknown)}", file=sys.stderr)
    return rows


def main():
    datasets = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "datasets")
    write("rees46-products.jsonl", rees46(datasets))
    write("newchic-fr.jsonl", newchic(datasets))
    write("bluestone.jsonl", bluestone())
    write("cartier.jsonl", cartier(datasets))


if __name__ == "__main__":
    main()
