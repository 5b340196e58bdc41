"""A palmerpenguins-like table made on the fly (the real one is not bundled): species, island,
bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year -- 3 species told apart
by their measurements, 3 islands, 2 sexes, 3 years, a few missing cells (NA) as in the original."""
from __future__ import annotations

import numpy as np

SPECIES = {   # name: (bill length, bill depth, flipper, mass, islands)
    "Adelie": (38.8, 18.3, 190.0, 3700.0, ("Torgersen", "Biscoe", "Dream")),
    "Chinstrap": (48.8, 18.4, 196.0, 3730.0, ("Dream",)),
    "Gentoo": (47.5, 15.0, 217.0, 5080.0, ("Biscoe",)),
}
COUNTS = {"Adelie": 152, "Chinstrap": 68, "Gentoo": 124}
COLUMNS = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"]


def penguins_csv(tmp_path, name: str = "penguins.csv", seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = [",".join(COLUMNS)]
    for species, (bl, bd, fl, mass, islands) in SPECIES.items():
        for i in range(COUNTS[species]):
            island = islands[i % len(islands)]
            sex = ("male", "female")[i % 2]
            year = 2007 + i % 3
            cells = [species, island, f"{bl + rng.normal(0, 2.5):.1f}", f"{bd + rng.normal(0, 0.9):.1f}",
                     f"{fl + rng.normal(0, 6):.0f}", f"{mass + rng.normal(0, 350):.0f}", sex, str(year)]
            if i in (3, 71):                       # a few missing measurements and sexes, as in the real file
                cells[2:6] = ["NA"] * 4
                cells[6] = "NA"
            elif i % 40 == 9:
                cells[6] = "NA"
            lines.append(",".join(cells))
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(p)
