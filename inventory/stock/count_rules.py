"""When a stocktake's difference is large enough to be confirmed before it is recorded. Pure: no I/O.

A count that moves the books a lot is more often a typing slip (a digit too many, the wrong
office) than a real find or loss, and it rewrites what every projection reads. So a
difference of more than LARGE_SHARE of the books, or more than LARGE_BLANKS blanks, is
recorded only when the person counting confirms it; who did is the movement's actor.
"""

from __future__ import annotations

LARGE_SHARE = 0.05
LARGE_BLANKS = 100


def needs_confirmation(books: int, counted: int) -> bool:
    """True for a difference of more than 5 % of the books or more than 100 blanks.

    Integer arithmetic (difference x 20 > books), so 5 % of 20 is exactly 1 and no rounding
    decides; with nothing on the books any difference is more than 5 % of them.
    """
    difference = abs(counted - books)
    return difference > LARGE_BLANKS or difference * round(1 / LARGE_SHARE) > books
