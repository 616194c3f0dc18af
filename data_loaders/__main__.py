"""``python -m data_loaders ingest ...``: see ``data_loaders.cli``."""

import sys

# pandera imports hypothesis, when it is installed (a test dependency here), for synthesising data;
# the loader never does that, and the import cost 0.3 s of every run. Stopped in this process only.
sys.modules.setdefault("hypothesis", None)

from data_loaders.cli import main  # noqa: E402 - after the line above, by design

sys.exit(main())
