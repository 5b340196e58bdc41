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


# ZERO_AS_MISSING when a file writes its zeros otherwise than `0` (testerI #2: pandas writes `0.0`, and
# `--also-missing 0` matches the text `0` only): the button adds these spellings, the CLI names them
_ZERO_SPELT = " (it reads the zeros written "
_ZERO_SPELT_END = ")"


def zero_choice(spellings=("0",)) -> str:
    """ZERO_AS_MISSING for a file whose zeros are written `spellings` (texts, e.g. ("0", "0.0"));
    the CLI's words (`cli_words`) are `--also-missing 0,0.0`."""
    spellings = tuple(spellings) or ("0",)
    if spellings == ("0",):
        return ZERO_AS_MISSING
    return ZERO_AS_MISSING + _ZERO_SPELT + " and ".join(spellings) + _ZERO_SPELT_END


def _zero_flag(text: str, both: bool) -> str:
    """`text` with each zero_choice(...) of more spellings than `0` as its CLI flag (`both`: the
    window's words after it in brackets, as `both_words`)."""
    start = ZERO_AS_MISSING + _ZERO_SPELT
    while (i := text.find(start)) >= 0:
        j = text.find(_ZERO_SPELT_END, i + len(start))
        if j < 0:
            break
        flag = "--also-missing " + ",".join(text[i + len(start):j].split(" and "))
        text = text[:i] + flag + (f" (in the window: {ZERO_AS_MISSING})" if both else "") + \
            text[j + len(_ZERO_SPELT_END):]
    return text


def cli_words(text: str) -> str:
    """`text` with each window choice of CHOICE_WORDS swapped for its CLI flag (a `zero_choice`
    naming spellings: `--also-missing` with them)."""
    text = _zero_flag(text, False)
    for window, flag in CHOICE_WORDS.items():
        text = text.replace(window, flag)
    return text


def both_words(text: str) -> str:
    """`text` for a file read outside both front ends (the HTML report): each window choice of
    CHOICE_WORDS as its CLI flag, then the window's way in brackets."""
    text = _zero_flag(text, True)
    for window, flag in CHOICE_WORDS.items():
        if f"(in the window: {window})" in text:
            continue
        text = text.replace(window, f"{flag} (in the window: {window})")
    return text
