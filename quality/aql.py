"""ISO 2859-1 single sampling, general inspection level II, normal inspection, as data.

The table follows DOMAIN.md: each AQL column has its Ac 0 / Re 1 cell at a code letter; going
down from it the cells read ↑, ↓, 1/2, 2/3, 3/4, 5/6, 7/8, 10/11, 14/15, 21/22; cells above the
0/1 cell are ↓ and cells after 21/22 are ↑. An arrow means: use the first plan in that direction,
with its sample size. When the sample size reaches the lot size, inspect 100 % with that plan's
accept/reject numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# code letter by lot size (general level II): (upper bound of the lot size, letter)
LOT_LETTERS = [
    (8, "A"), (15, "B"), (25, "C"), (50, "D"), (90, "E"), (150, "F"), (280, "G"), (500, "H"),
    (1200, "J"), (3200, "K"), (10000, "L"), (35000, "M"), (150000, "N"),
]  # fmt: skip
SAMPLE_SIZES = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80, "K": 125,
    "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000,
}  # fmt: skip
LETTERS = list(SAMPLE_SIZES)
# where each AQL column has Ac 0 / Re 1
ZERO_ONE_AT = {
    Decimal("0.65"): "F",
    Decimal("1.0"): "E",
    Decimal("1.5"): "D",
    Decimal("2.5"): "C",
    Decimal("4.0"): "B",
    Decimal("6.5"): "A",
}
AQLS = sorted(ZERO_ONE_AT)
COLUMN = ["0/1", "up", "down", "1/2", "2/3", "3/4", "5/6", "7/8", "10/11", "14/15", "21/22"]
MIN_LOT, MAX_LOT = 2, 150_000


@dataclass(frozen=True)
class Plan:
    code_letter: str  # the lot's letter
    plan_letter: str  # the letter whose plan applies after following arrows
    sample_size: int
    accept: int
    reject: int

    def as_dict(self) -> dict:
        return {
            "code_letter": self.code_letter,
            "sample_size": self.sample_size,
            "accept": self.accept,
            "reject": self.reject,
        }


def code_letter(lot_size: int) -> str:
    if not MIN_LOT <= lot_size <= MAX_LOT:
        raise ValueError(f"lot size must be {MIN_LOT}–{MAX_LOT}")
    return next(letter for upper, letter in LOT_LETTERS if lot_size <= upper)


def _cell(aql: Decimal, index: int) -> str:
    zero = LETTERS.index(ZERO_ONE_AT[aql])
    if index < zero:
        return "down"
    offset = index - zero
    return COLUMN[offset] if offset < len(COLUMN) else "up"


def plan(*, lot_size: int, aql: Decimal | str | float) -> Plan:
    """The single sampling plan for a lot. ``aql`` 0 means the critical class: accept 0,
    reject 1 at the lot letter's sample size."""
    letter = code_letter(lot_size)
    aql = Decimal(str(aql))
    if aql == 0:
        n = min(SAMPLE_SIZES[letter], lot_size)
        return Plan(letter, letter, n, 0, 1)
    if aql not in ZERO_ONE_AT:
        raise ValueError("AQL must be one of 0.65, 1.0, 1.5, 2.5, 4.0, 6.5 (or 0)")
    index = LETTERS.index(letter)
    for _ in range(len(LETTERS)):
        cell = _cell(aql, index)
        if cell == "up":
            index -= 1
        elif cell == "down":
            index += 1
        else:
            accept, reject = (int(x) for x in cell.split("/"))
            plan_letter = LETTERS[index]
            n = min(SAMPLE_SIZES[plan_letter], lot_size)
            return Plan(letter, plan_letter, n, accept, reject)
    raise AssertionError("arrows did not settle")  # the table guarantees they do
