"""Question banks: the YAML file format, its validator, importer and exporters."""

from pathlib import Path

from flask import current_app

ROOT = Path(__file__).resolve().parent.parent.parent


def seeds_dir() -> Path:
    """Return the folder of the seed articles (config SEEDS_DIR, default seeds/)."""
    return Path(current_app.config.get("SEEDS_DIR") or ROOT / "seeds")


def loaded_words_file() -> Path:
    """Return the loaded-words list (config LOADED_WORDS_FILE, else questions/loaded_words.txt)."""
    return Path(
        current_app.config.get("LOADED_WORDS_FILE") or ROOT / "questions" / "loaded_words.txt"
    )
