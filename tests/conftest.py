"""Suite-wide settings: one shared cache of optima and baseline scores for every workspace the
tests create (they depend only on the scenario version), and no live progress bars."""

import os
import tempfile

os.environ.setdefault("ADRS_CACHE_DIR", os.path.join(tempfile.gettempdir(), "adrs-test-cache"))
os.environ.setdefault("ADRS_PROGRESS", "quiet")
