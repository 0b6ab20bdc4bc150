"""The typed lexicon shipped with the package (lexicon.yaml): names, offices, places, bodies."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

NAME_TYPES = ("person", "office", "place", "organisation")
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
# Heads of compound nouns that name an office or role ("Verteidigungs|minister").
OFFICE_HEADS = frozenset(
    """minister präsident kanzler bürgermeister oberbürgermeister sprecher sekretär
    generalsekretär botschafter inspekteur generalinspekteur chef direktor vorsitzende
    vorsitzender senator abgeordnete abgeordneter gouverneur landrat kämmerer beauftragte
    beauftragter dezernent dezernentin baurat stadtbaurat staatssekretär kommissar richter
    premierminister ministerpräsident vizepräsident ratsherr ratsfrau""".split()
)
# Heads of compound nouns that name a public body ("Außen|ministerium").
ORGANISATION_HEADS = frozenset(
    """ministerium bundesamt landesamt stadtwerke kommission verfassungsgericht stadtrat
    gemeinderat kreistag landtag bundestag stadtverwaltung bundesregierung verband
    handelsverband""".split()
)


@dataclass(frozen=True)
class Lexicon:
    """Terms by type, first names, and a regex that finds the multi-word and known terms."""

    terms: dict[str, tuple[str, ...]]
    first_names: frozenset[str]
    female_names: frozenset[str]
    genders: dict[str, str]
    types: dict[str, str]
    pattern: re.Pattern

    def type_of(self, term: str) -> str | None:
        """Return the type of a known term (case-insensitive), if any."""
        return self.types.get(term.casefold())

    def gender(self, name: str) -> str | None:
        """Return "f" or "m" for a name whose first name the lexicon knows, else None."""
        first = name.split()[0]
        if first not in self.first_names:
            return None
        return "f" if first in self.female_names else "m"

    def surnames(self) -> dict[str, str]:
        """Map each known person's last name to the full name."""
        return {name.split()[-1]: name for name in self.terms["person"] if " " in name}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load lexicon.yaml once."""
    data = yaml.safe_load((Path(__file__).parent / "lexicon.yaml").read_text(encoding="utf-8"))
    terms = {kind: tuple(data.get(kind) or ()) for kind in NAME_TYPES}
    types = {}
    for kind in NAME_TYPES:
        for term in terms[kind]:
            types.setdefault(term.casefold(), kind)
    known = sorted(
        (t for kind in ("person", "place", "organisation") for t in terms[kind]), key=len
    )
    alternation = "|".join(re.escape(term) for term in reversed(known))
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
    names = data.get("first_names") or {}
    female, male = frozenset(names.get("female") or ()), frozenset(names.get("male") or ())
    genders = {str(k): str(v) for k, v in (data.get("genders") or {}).items()}
    return Lexicon(terms, female | male, female, genders, types, pattern)
