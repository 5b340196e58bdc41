"""The colour spaces a palette is fitted in (somdesk.core.palette_fit explains each).

A module of its own, without numpy, so that `somdesk quantize`'s argument parser
(`--space` and its default) is built without importing the fitting code: a usage
error or `--help` then answers before numpy loads (docs/quantisation.md, "start-up").
"""
SPACES = ("srgb", "oklab", "blend")
DEFAULT_SPACE = "blend"
