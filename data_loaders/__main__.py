"""``python -m data_loaders ingest ...``: see ``data_loaders.cli``."""

import gc
import os
import sys

# pandera imports hypothesis, when it is installed (a test dependency here), for synthesising data;
# the loader never does that, and the import cost 0.3 s of a run. Stopped in this process only.
sys.modules.setdefault("hypothesis", None)
# The loader does no linear algebra, so numpy's OpenBLAS thread would only spin on the other core, where the
# workers check files (1.4% of a load's instructions, measured with cachegrind). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Importing pandas, pandera and SQLAlchemy makes objects by the hundred thousand and no garbage, and they live
# as long as the process: collected never (paused while they load, then frozen), they save 0.15 s of
# start-up and 0.2 s of exit, a command's worth of checking small files (see docs/performance.md).
gc.disable()
import data_loaders.ingest  # noqa: E402, F401 - everything the command uses, before the freeze
import storage.db  # noqa: E402, F401

gc.freeze()
gc.enable()

from data_loaders.cli import main  # noqa: E402

try:
    code = main()
except BrokenPipeError:
    # Whoever read the reports stopped reading (``... | head``): the files stored so far stay stored, each in
    # its own transaction; say nothing more, and no traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 1
sys.exit(code)
