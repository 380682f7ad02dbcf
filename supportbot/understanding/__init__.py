"""What a customer message says: intent, confidence, sentiment, language and entities.

:class:`Understander` computes an :class:`Understanding` once per inbound message; the engine hands
it to every plugin. :func:`fit_from_csv` trains the intent classifier on a merchant's own data.
"""

from .intents import IntentCatalog, IntentsFileError, load_intents
from .settings import UnderstandingSettings
from .training import FitReport, fit_from_csv
from .understander import Understander, Understanding, trained_model_dir

__all__ = [
    "FitReport",
    "IntentCatalog",
    "IntentsFileError",
    "Understander",
    "Understanding",
    "UnderstandingSettings",
    "fit_from_csv",
    "load_intents",
    "trained_model_dir",
]
