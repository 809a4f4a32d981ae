"""Where the project's data lives, relative to the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CATALOG_PATH = DATA_DIR / "needs" / "catalog.yml"
BUSINESS_PATH = DATA_DIR / "business.yml"
LEXICON_PATH = DATA_DIR / "language" / "lexicon.yml"
EMERGENCY_PATH = DATA_DIR / "language" / "emergency.yml"
REPORT_RULES_PATH = DATA_DIR / "report" / "recommendations.yml"
MODELS_DIR = ROOT / "models"
HELDOUT_DIR = ROOT / "tests" / "heldout"
OPENWORLD_DIR = ROOT / "tests" / "openworld"
TRAINING_DATA_DIRS = (DATA_DIR / "nlu", DATA_DIR / "stories", DATA_DIR / "rules")
VAR_DIR = ROOT / "var"
