"""Generate resources/samples/customers.csv: a made-up retail customer table.

    python tools/make_sample_customers.py [--out PATH] [--rows 1000] [--seed 20240611]

The sample for tabular segmentation.  Every customer belongs to one of five
segments; each column is drawn from a distribution whose parameters depend
on the segment, so a map trained on the numeric columns should show five
regions and the `segment` column (the answer) can be shown as majority
labels.  All draws come from numpy's default generator seeded with --seed,
so the file is byte-for-byte reproducible.

Columns
    customer_id       "C0001" ... in file order (not informative)
    age               Normal(mu, sd) per segment, rounded, clipped to 18..95
    annual_income     LogNormal: exp(Normal(ln(median), s)), rounded to 100
    visits_per_month  Poisson(lambda)
    basket_size       Gamma(shape k, scale theta): mean k*theta, 2 decimals
    online_share      Beta(a, b): share of purchases made online, 3 decimals
    region            categorical, probabilities per segment
    segment           the segment's name (label column)

Segment parameters (share of rows; age mu/sd; income median/s; visits
lambda; basket k/theta; online a/b; most likely region):

    segment           share  age     income        visits  basket   online   region
    Students          0.20   22/3    18,000/0.35    6      2/8      6/3      Capital
    Young families    0.25   34/5    52,000/0.30    9      4/22     3/3      South
    Professionals     0.20   41/8    85,000/0.35    3      3/25     7/2      Capital
    Retirees          0.15   70/6    30,000/0.30   12      3/10     1.5/8    North
    Bargain hunters   0.20   48/12   38,000/0.40   16      2/9      2/5      East

Missing values on purpose (so the missing-value options have something to
do): about 1.2% of annual_income is "NA", 0.8% of age is empty and 0.5% of
online_share is "?".  Rows are shuffled so segments interleave.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resources" / "samples" / "customers.csv"
REGIONS = ("North", "South", "East", "West", "Capital")

# name: (share, (age mu, sd), (income median, s), visits lambda, (basket k, theta),
#        (online a, b), region probabilities in REGIONS order)
SEGMENTS = {
    "Students":        (0.20, (22, 3),  (18_000, 0.35), 6,  (2, 8),  (6, 3),   (0.10, 0.10, 0.10, 0.15, 0.55)),
    "Young families":  (0.25, (34, 5),  (52_000, 0.30), 9,  (4, 22), (3, 3),   (0.20, 0.35, 0.15, 0.20, 0.10)),
    "Professionals":   (0.20, (41, 8),  (85_000, 0.35), 3,  (3, 25), (7, 2),   (0.10, 0.10, 0.10, 0.20, 0.50)),
    "Retirees":        (0.15, (70, 6),  (30_000, 0.30), 12, (3, 10), (1.5, 8), (0.40, 0.20, 0.15, 0.15, 0.10)),
    "Bargain hunters": (0.20, (48, 12), (38_000, 0.40), 16, (2, 9),  (2, 5),   (0.15, 0.15, 0.40, 0.20, 0.10)),
}
COLUMNS = ("customer_id", "age", "annual_income", "visits_per_month", "basket_size",
           "online_share", "region", "segment")
MISSING = (("annual_income", 0.012, "NA"), ("age", 0.008, ""), ("online_share", 0.005, "?"))


def make_rows(n: int = 1000, seed: int = 20240611) -> list[dict]:
    rng = np.random.default_rng(seed)
    names = list(SEGMENTS)
    shares = np.array([SEGMENTS[s][0] for s in names])
    counts = np.floor(shares * n + 1e-9).astype(int)
    counts[: n - counts.sum()] += 1          # hand out the remainder, first segments first
    rows = []
    for name, count in zip(names, counts):
        _, (age_mu, age_sd), (inc_med, inc_s), visits, (bk, bt), (oa, ob), reg_p = SEGMENTS[name]
        ages = np.clip(np.rint(rng.normal(age_mu, age_sd, count)), 18, 95).astype(int)
        income = np.rint(np.exp(rng.normal(np.log(inc_med), inc_s, count)) / 100) * 100
        vis = rng.poisson(visits, count)
        basket = rng.gamma(bk, bt, count)
        online = rng.beta(oa, ob, count)
        region = rng.choice(len(REGIONS), size=count, p=reg_p)
        for i in range(count):
            rows.append({"age": str(ages[i]), "annual_income": f"{income[i]:.0f}",
                         "visits_per_month": str(vis[i]), "basket_size": f"{basket[i]:.2f}",
                         "online_share": f"{online[i]:.3f}", "region": REGIONS[region[i]],
                         "segment": name})
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    for i, row in enumerate(rows):
        row["customer_id"] = f"C{i + 1:04d}"
    for column, fraction, token in MISSING:
        for i in rng.choice(len(rows), size=max(1, round(fraction * len(rows))), replace=False):
            rows[i][column] = token
    return rows


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    out = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    out.writeheader()
    out.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = to_csv(make_rows(args.rows, args.seed))
    args.out.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {args.out} ({args.rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
