"""The window's choices that shared (core/session) messages name, and the CLI flag of each.

Imports nothing: the CLI words every error and warning through `cli_words`, and a usage error
must be answered before numpy loads (tests/cli/test_cli_quantize_startup.py).
"""

# Choices a shared (core/session) message names in the window's words, with the CLI's flag for
# each: the CLI prints every message and warning through `cli_words`, so one sentence names the
# Setup tab's control in the window and the flag on the command line (testerG #3, #4).
MISSING_TRAIN = "Missing values: train"
# 0 read as missing BESIDES the usual words (NA, N/A, ...): the Setup tab's button and --also-missing
# add to them.  Not the import preview's Missing values field, nor --missing-values: a list given
# there replaces them, so `--missing-values 0` made a ratings table's NA columns text (fixV)
ZERO_AS_MISSING = "the Setup tab's Read 0 as missing button"
CHOICE_WORDS = {MISSING_TRAIN: "--missing train", ZERO_AS_MISSING: "--also-missing 0"}


def cli_words(text: str) -> str:
    """`text` with each window choice of CHOICE_WORDS swapped for its CLI flag."""
    for window, flag in CHOICE_WORDS.items():
        text = text.replace(window, flag)
    return text


def both_words(text: str) -> str:
    """`text` for a file read outside both front ends (the HTML report): each window choice of
    CHOICE_WORDS as its CLI flag, then the window's way in brackets."""
    for window, flag in CHOICE_WORDS.items():
        text = text.replace(window, f"{flag} (in the window: {window})")
    return text
