"""Hard limits for palette reading.

Palettes come from the internet, so every reader assumes the file may be
hostile.  These caps keep a bad file from eating memory or time; each one is
far above what any real palette needs.  They are documented in
docs/palette-formats.md -- keep the two in sync.
"""

#: Largest file we will read at all (bytes).  The biggest real palettes
#: (65,536 colours as CSS with names) are a few MiB.
MAX_FILE_BYTES = 64 * 1024 * 1024

#: Most colours in one palette.  Also the ACO/RIFF count field ceiling.
MAX_COLORS = 65_536

#: Largest image (width * height) we decode when an image is used as a palette: the same limit
#: as every picture's (io.image_input), so a picture that opens also reads as a palette.
from somdesk.io.image_input import MAX_IMAGE_PIXELS  # noqa: E402  (re-exported)

#: Colour and palette names are cut to this many characters.
MAX_NAME_CHARS = 256

#: Largest uncompressed member we extract from a zip (Krita .kpl).
MAX_ZIP_MEMBER_BYTES = 16 * 1024 * 1024

#: A zip with more members than this is not a palette.
MAX_ZIP_MEMBERS = 1_000

#: Warnings kept per file; past this we keep one "... and N more" line so a
#: 65,536-line file full of out-of-range values cannot flood the UI.
MAX_WARNINGS = 100

#: Most palettes in one collection file (JSON list of lists, CSV one palette
#: per row, ...).
MAX_PALETTES = 65_536

#: Most colours in all palettes of one collection file together.
MAX_TOTAL_COLORS = 16 * MAX_COLORS
