"""Swap arithmetic: the new presence may be shorter than what is given up (the rest is forfeited), never longer."""

from planning.domain.refusals import Refusal


def forfeited_minutes(given_up_minutes: int, new_minutes: int) -> int:
    """Minutes given up that the new presence does not cover; refuses a swap that would gain time."""
    if given_up_minutes < 0 or new_minutes < 0:
        raise ValueError("minutes cannot be negative")
    if new_minutes > given_up_minutes:
        raise Refusal("swap_gains_time", "A swap cannot gain time: the new day parts are longer than "
                      "the ones given up.", {"given_up_minutes": given_up_minutes, "new_minutes": new_minutes})
    return given_up_minutes - new_minutes
