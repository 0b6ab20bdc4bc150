"""Time draft generation: the seed article, and a 10,000-word text of varied German sentences.

Prints one JSON line per text: {"text", "words", "sentences", "drafts", "seconds"}. The tagger's
model is loaded once before timing (a server loads it once too). Targets: under 2 s for the
seed article, and the 10,000-word text under 15 x the seed's time.

    .venv/bin/python bench/generate.py
"""

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizapp.banks.articles import read_seed  # noqa: E402
from quizapp.generate import propose  # noqa: E402
from quizapp.generate.text import tagger  # noqa: E402

SUBJECTS = [
    "Der Stadtrat von Lüneburg",
    "Oberbürgermeisterin Claudia Kalisch",
    "Die Bundesregierung",
    "Verteidigungsminister Boris Pistorius",
    "Der Gemeinderat",
    "Die Umweltministerin",
    "Der Bundestag",
    "Stadtkämmerer Jürgen Brandt",
    "Die NATO",
    "Die Stadtwerke",
]
VERBS = [
    "beschloss am {day}. {month} {year} einen Haushalt von {money} Millionen Euro.",
    "will bis {year2} rund {percent} Prozent der Emissionen einsparen.",
    "hat im {month} {number} neue Stellen geschaffen.",
    "scheint den Plan offensichtlich für falsch zu halten.",
    "wird die Förderung bis {year2} auf {money} Millionen Euro erhöhen.",
    "sagte, die Stadt habe {number} Anträge erhalten.",
    "traf sich am {day}. {month} in Berlin mit Vertretern aus Brüssel.",
    "kritisierte, das sei natürlich nur ein Tropfen auf den heißen Stein.",
]
MONTHS = ["Januar", "März", "Mai", "Juli", "September", "November"]


def varied_text(words: int, seed: int = 13) -> str:
    """Build a text of about `words` words from varied German sentences, in paragraphs."""
    rng = random.Random(seed)
    sentences, count = [], 0
    while count < words:
        sentence = (
            rng.choice(SUBJECTS)
            + " "
            + rng.choice(VERBS).format(
                day=rng.randint(1, 28),
                month=rng.choice(MONTHS),
                year=rng.randint(2019, 2026),
                year2=rng.randint(2028, 2045),
                money=rng.randint(2, 400),
                percent=rng.randint(5, 80),
                number=rng.randint(3, 900),
            )
        )
        sentences.append(sentence)
        count += len(sentence.split())
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs)


def measure(name: str, text: str) -> dict:
    """Propose drafts for a text and time it."""
    start = time.perf_counter()
    proposal = propose(text)
    seconds = time.perf_counter() - start
    return {
        "text": name,
        "words": len(text.split()),
        "sentences": len(proposal.analysis.sentences),
        "drafts": len(proposal.drafts),
        "seconds": round(seconds, 3),
    }


def main() -> None:
    """Print the two measurements."""
    tagger()
    seed = read_seed(ROOT / "seeds" / "nato-2025-12-04.txt").text
    print(json.dumps(measure("seed", seed)))
    print(json.dumps(measure("varied-10000", varied_text(10_000))))


if __name__ == "__main__":
    main()
