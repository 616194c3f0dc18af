"""``python -m data_loaders ingest ...``: see ``data_loaders.cli``."""

import gc
import logging
import os
import sys

# pandera imports hypothesis, when it is installed (a test dependency here), for synthesising data;
# the loader never does that, and the import cost 0.3 s of a run. Stopped in this process only.
sys.modules.setdefault("hypothesis", None)
# The loader does no linear algebra, so numpy's OpenBLAS thread would only spin on the other core, where the
# workers check files (1.4% of a load's instructions, measured with cachegrind). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Importing pandas and SQLAlchemy makes objects by the hundred thousand and no garbage: the collector is
# paused until they are imported, and ``main`` then freezes them (see ``cli._imported``).
gc.disable()

from data_loaders.cli import main  # noqa: E402 - after the line above, by design

try:
    code = main(freeze_imports=True)
except BrokenPipeError:
    # Whoever read the reports stopped reading (``... | head``): the files stored so far stay stored, each in
    # its own transaction; say nothing more, and no traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 1
# Everything is stored and committed, and the database closed; what is left is tearing the interpreter
# down (pandas, SQLAlchemy and the rest: 0.35 s, a fifth of loading a small file). Flush, then leave.
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
