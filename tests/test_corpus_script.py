"""benchmarks/corpus.py downloads real packages, so CI runs only its detectors, offline."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus.py"


def test_corpus_detectors():
    spec = importlib.util.spec_from_file_location("corpus_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        module.check_detectors()
    finally:
        del sys.modules[spec.name]
