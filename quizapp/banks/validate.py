"""Validate bank files: YAML, schema per question type, keys, quotes and the editorial rules."""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from quizapp.banks import schema
from quizapp.banks.loader import LoadedYaml, Path_, YamlSyntaxError, load
from quizapp.banks.quotes import find_quote, longest_found_prefix
from quizapp.banks.schema import BankMeta, ClaimSpec, QuestionSpec

# Phrases that make a `text` item say its key is what the article says (case-insensitive).
TEXT_MARKERS = (
    "laut dem artikel",
    "laut artikel",
    "der autor",
    "die autorin",
    "im artikel",
    "der artikel",
    "laut text",
    "according to the article",
    "the author",
)
COUNTER_MARKERS = ("gegenposition", "counter-position")
CORRECTABLE = ("partly", "misleading", "false", "unverifiable")
# asks values that go with exactly one question type, and back.
PAIRED_TYPES = (("classify", "fact_or_opinion"), ("reflect", "reflection"))
SECTIONS = ("bank", "claims", "questions")
# Aggregators and mirrors that copy other outlets' reports: cite the outlet that reported first
# (a subdomain of one of these is refused too).
REFUSED_SOURCE_DOMAINS = (
    "pledgetimes.com",
    "tradingkey.com",
    "militaryspot.com",
    "newser.com",
    "caliber.az",
    "csp.partners",
    "firstpost.com",
    "lnginnorthernbc.ca",
    "econotimes.com",
    "devdiscourse.com",
    "particle.news",
    "msn.com",
    "news.google.com",
    "menafn.com",
    "archyde.com",
    "daily8.com",
    "dnyuz.com",
)
# EDITORIAL.md models an "Erläuterung" of 80–120 words (a model, so outside it is a warning).
EXPLANATION_WORDS = (80, 120)
# A counter-position (told apart by its source) cited by more than this share of a bank's
# opinion claims is reported: vary them (Kontroversitätsgebot).
COUNTER_POSITION_SHARE = 0.25
# The kind a fact-or-opinion answer names, and the claim kinds it may be about: a checkable
# statement is keyed `fact` (Tatsachenbehauptung) whatever its verdict; its truth is the
# claim's verdict, told in the feedback.
CLASSIFY_KINDS = {
    "fact": ("fact", "claim"),
    "opinion": ("opinion",),
    "quote": ("quote",),
    "prediction": ("prediction",),
}
# A quoted span in a prompt: loaded words are allowed inside it.
_QUOTED = re.compile(r'„[^“”"]*[“”"]|"[^"]*"|»[^«]*«|«[^»]*»|“[^”"]*[”"]|‚[^‘’]*[‘’]|‹[^›]*›')

ArticleLookup = Callable[[str], str | None]


@dataclass(frozen=True, order=True)
class BankError:
    """One problem in a bank file: where it is and what is wrong."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """Render as `file:line: field: message`."""
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class ValidBank:
    """A bank file that passed every check, with each claim's offsets in its article."""

    file: str
    meta: BankMeta
    claims: list[ClaimSpec]
    questions: list[QuestionSpec]
    offsets: dict[str, tuple[int, int]] = field(default_factory=dict)
    # The line of each claim's entry, for errors found later (e.g. conflicts with other banks).
    claim_lines: dict[str, int] = field(default_factory=dict)
    # Editorial findings that do not stop an import (`quiz validate --strict` refuses them).
    warnings: list[BankError] = field(default_factory=list)


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their *.yaml and *.yml files (sorted); keep files as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            found.append(path)
    return found


def read_loaded_words(path: Path | None) -> list[str]:
    """Read the loaded-word stems (one per line, # comments), or none if there is no file."""
    if path is None or not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line.casefold())
    return words


def validate_paths(
    paths: Iterable[Path], article_text: ArticleLookup, loaded_words: list[str]
) -> tuple[list[ValidBank], list[BankError]]:
    """Validate every bank file under the paths; return the valid banks and all errors."""
    banks: list[ValidBank] = []
    errors: list[BankError] = []
    slugs: dict[str, str] = {}
    for path in bank_files(paths):
        bank, found = validate_file(path, article_text, loaded_words)
        errors.extend(found)
        if bank is None:
            continue
        if bank.meta.slug in slugs:
            errors.append(
                BankError(
                    bank.file,
                    1,
                    "bank.slug",
                    f"'{bank.meta.slug}' is also the slug of "
                    f"{slugs[bank.meta.slug]}; bank slugs must be unique",
                )
            )
            continue
        slugs[bank.meta.slug] = bank.file
        banks.append(bank)
    return banks, errors


def validate_file(
    path: Path, article_text: ArticleLookup, loaded_words: list[str]
) -> tuple[ValidBank | None, list[BankError]]:
    """Read and validate one bank file."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [BankError(file, 1, "(file)", f"not UTF-8 text ({error.reason})")]
    except OSError as error:
        return None, [BankError(file, 1, "(file)", f"cannot read the file ({error.strerror})")]
    return validate_text(text, file, article_text, loaded_words)


def validate_text(
    text: str, file: str, article_text: ArticleLookup, loaded_words: list[str]
) -> tuple[ValidBank | None, list[BankError]]:
    """Validate a bank file's content; collect every error rather than stop at the first."""
    try:
        loaded = load(text)
    except YamlSyntaxError as error:
        return None, [BankError(file, error.line, error.key or "(document)", error.message)]
    return _Checker(file, loaded, article_text, loaded_words).run()


class _Checker:
    """Runs the checks on one loaded file and collects the errors."""

    def __init__(
        self, file: str, loaded: LoadedYaml, article_text: ArticleLookup, loaded_words: list[str]
    ):
        self.file = file
        self.loaded = loaded
        self.data = loaded.data
        self.article_text = article_text
        self.loaded_words = loaded_words
        self.errors: list[BankError] = []
        self.warnings: list[BankError] = []
        # Keys of claims that failed their own checks (questions on them are not judged).
        self.broken_claims: set[str] = set()

    # --- reporting ---------------------------------------------------------------------------

    def field_name(self, path: Path_) -> str:
        """Name a path like `claims[C7b].quote` or `questions[c1-wer].options[2].text`."""
        name = ""
        node = self.data
        for depth, part in enumerate(path):
            if isinstance(part, int):
                label = str(part)
                item = node[part] if isinstance(node, list) and part < len(node) else None
                if depth == 1 and isinstance(item, dict) and isinstance(item.get("key"), str):
                    label = item["key"]
                name += f"[{label}]"
                node = item
            else:
                name += f".{part}" if name else str(part)
                node = node.get(part) if isinstance(node, dict) else None
        return name or "(document)"

    def error(self, path: Path_, message: str) -> None:
        """Record an error at a path of the document."""
        self.errors.append(
            BankError(self.file, self.loaded.line_of(path), self.field_name(path), message)
        )

    def warn(self, path: Path_, message: str) -> None:
        """Record an editorial finding (a warning) at a path of the document."""
        self.warnings.append(
            BankError(self.file, self.loaded.line_of(path), self.field_name(path), message)
        )

    def schema_errors(self, prefix: Path_, model: type[BaseModel], error: ValidationError) -> None:
        """Record pydantic's errors under a path prefix, in words an author understands."""
        for item in error.errors():
            loc = tuple(item["loc"])
            kind = item["type"]
            if kind == "missing":
                message = "required field is missing"
            elif kind == "extra_forbidden":
                allowed = ", ".join(model.model_fields) if len(loc) == 1 else ""
                message = "unknown field" + (f" (allowed here: {allowed})" if allowed else "")
            elif kind == "string_pattern_mismatch":
                pattern = (item.get("ctx") or {}).get("pattern")
                message = f"{item['input']!r} {schema.PATTERN_HELP.get(pattern, item['msg'])}"
            elif kind == "literal_error":
                message = f"{item['input']!r} is not allowed; use one of: {item['ctx']['expected']}"
            else:
                message = schema.tidy_message(item["msg"])
            self.error((*prefix, *loc), message)

    # --- the checks ------------------------------------------------------------------------------

    def run(self) -> tuple[ValidBank | None, list[BankError]]:
        """Check the whole file; return the valid bank (or None) and the errors."""
        for line, path, message in self.loaded.problems:
            self.errors.append(BankError(self.file, line, self.field_name(path), message))
        if not isinstance(self.data, dict):
            self.error((), "a bank file is a mapping with the sections bank, claims, questions")
            return None, sorted(self.errors)
        for name in self.data:
            if name not in SECTIONS:
                self.error((name,), f"unknown section (allowed: {', '.join(SECTIONS)})")
        meta = self.check_bank()
        claims = self.check_claims()
        questions = self.check_questions(claims)
        offsets = self.check_quotes(meta, claims, questions)
        self.check_bank_balance(claims, questions)
        if self.errors or meta is None:
            return None, sorted(self.errors)
        lines = {key: self.loaded.line_of(path) for key, path in self.item_paths("claims").items()}
        valid = ValidBank(self.file, meta, list(claims.values()), questions, offsets, lines)
        valid.warnings = sorted(self.warnings)
        return valid, []

    def section(self, name: str) -> list | None:
        """Return a list section, reporting a missing or malformed one."""
        if name not in self.data:
            self.error((), f"the section '{name}' is missing")
            return None
        value = self.data[name]
        if value is None:
            return []
        if not isinstance(value, list):
            self.error((name,), "must be a list (entries start with '- ')")
            return None
        return value

    def check_bank(self) -> BankMeta | None:
        """Check the `bank:` section."""
        if "bank" not in self.data:
            self.error((), "the section 'bank' is missing")
            return None
        try:
            return BankMeta.model_validate(self.data["bank"])
        except ValidationError as error:
            self.schema_errors(("bank",), BankMeta, error)
            return None

    def check_claims(self) -> dict[str, ClaimSpec]:
        """Check each claim's fields, key uniqueness and the per-kind requirements."""
        claims: dict[str, ClaimSpec] = {}
        for index, raw in enumerate(self.section("claims") or []):
            path = ("claims", index)
            try:
                claim = ClaimSpec.model_validate(raw)
            except ValidationError as error:
                self.schema_errors(path, ClaimSpec, error)
                if isinstance(raw, dict) and isinstance(raw.get("key"), str):
                    self.broken_claims.add(raw["key"])
                continue
            if claim.key in claims:
                self.error((*path, "key"), f"duplicate claim key '{claim.key}'")
                continue
            claims[claim.key] = claim
            self.check_claim_rules(path, claim)
        return claims

    def check_claim_rules(self, path: Path_, claim: ClaimSpec) -> None:
        """Who is quoted, what a verdict needs, and counter-positions for opinions."""
        if claim.kind == "quote" and not claim.speaker:
            self.error((*path, "speaker"), "a claim of kind quote must name its speaker")
        if claim.verdict is not None:
            if not claim.sources:
                self.error((*path, "sources"), "a verdict needs at least one source")
            if claim.checked_on is None:
                self.error((*path, "checked_on"), "a verdict needs the date it was checked on")
        if claim.verdict != "true" and not claim.note:
            self.error(
                (*path, "note"),
                "a note (correction or context) is required unless the verdict is true",
            )
        if claim.kind == "opinion" and not claim.counter_positions:
            self.error(
                (*path, "counter_positions"),
                "an opinion needs at least one documented counter-position with its source",
            )
        if claim.kind == "fact" and claim.verdict not in (None, "true"):
            self.error(
                (*path, "kind"),
                f"a statement whose verdict is {claim.verdict} is not a fact: use kind claim "
                "(the kind says what sort of statement it is, the verdict whether it holds)",
            )
        for index, source in enumerate(claim.sources):
            self.check_source((*path, "sources", index, "url"), source.url)
        for index, position in enumerate(claim.counter_positions):
            self.check_source(
                (*path, "counter_positions", index, "source", "url"), position.source.url
            )

    def check_source(self, path: Path_, url: str) -> None:
        """Refuse aggregators and mirrors as sources."""
        host = (urlsplit(url).hostname or "").casefold().removeprefix("www.")
        for domain in REFUSED_SOURCE_DOMAINS:
            if host == domain or host.endswith("." + domain):
                self.error(
                    path,
                    f"{domain} republishes other outlets' reports; cite the primary source "
                    "(the institution, the transcript, or the outlet that reported first)",
                )

    def check_questions(self, claims: dict[str, ClaimSpec]) -> list[QuestionSpec]:
        """Check each question against its type's schema, its claim and the editorial rules."""
        questions: list[QuestionSpec] = []
        keys: set[str] = set()
        for index, raw in enumerate(self.section("questions") or []):
            path = ("questions", index)
            question = self.parse_question(path, raw)
            if question is None:
                continue
            if question.key in keys:
                self.error((*path, "key"), f"duplicate question key '{question.key}'")
                continue
            keys.add(question.key)
            questions.append(question)
            if question.claim is None:
                if question.status != "draft":
                    self.error((*path, "claim"), "a published question needs a claim")
                continue  # an imported draft waits to be tied to a claim
            claim = claims.get(question.claim)
            if claim is None and question.claim in self.broken_claims:
                continue  # its claim's own errors are reported; judging the question waits
            if claim is None:
                self.error((*path, "claim"), f"no claim with key '{question.claim}' in this bank")
                continue
            self.check_editorial(path, question, claim)
        return questions

    def parse_question(self, path: Path_, raw: object) -> QuestionSpec | None:
        """Validate one question with the model of its type."""
        if not isinstance(raw, dict):
            self.error(path, "a question is a mapping of fields")
            return None
        question_type = raw.get("type")
        if question_type is None:
            self.error((*path, "type"), "required field is missing")
            return None
        model = schema.QUESTION_TYPES.get(question_type) if isinstance(question_type, str) else None
        if model is None:
            self.error(
                (*path, "type"),
                f"{question_type!r} is not a question type; use one of: "
                + ", ".join(schema.QUESTION_TYPES),
            )
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            self.schema_errors(path, model, error)
            return None

    def check_editorial(self, path: Path_, question: QuestionSpec, claim: ClaimSpec) -> None:
        """The rules of EDITORIAL.md a machine can check."""
        asks, verdict = question.asks, claim.verdict
        described = f"claim {claim.key} is {claim.kind} with verdict {verdict or 'not checked'}"
        if asks == "world" and verdict != "true":
            self.error(
                (*path, "asks"),
                f"only a claim with verdict true may be asked as a fact about the world; "
                f"{described}: ask what the article says (asks: text, and say so in the "
                f"prompt), or make it a correction item",
            )
        if asks == "correction" and verdict not in CORRECTABLE:
            self.error(
                (*path, "asks"),
                f"a correction item needs a claim with verdict {', '.join(CORRECTABLE)}; "
                f"{described}",
            )
        for asks_value, question_type in PAIRED_TYPES:
            if (asks == asks_value) != (question.type == question_type):
                self.error(
                    (*path, "asks"),
                    f"asks: {asks_value} goes with type {question_type} and only with it",
                )
        if asks == "text" and not any(m in question.prompt.casefold() for m in TEXT_MARKERS):
            self.error(
                (*path, "prompt"),
                "asks what the article says, so the prompt must say so "
                "(e.g. „Laut dem Artikel …“, „Der Autor behauptet …“)",
            )
        if claim.kind == "opinion" and not any(
            m in question.explanation.casefold() for m in COUNTER_MARKERS
        ):
            self.error(
                (*path, "explanation"),
                f"claim {claim.key} is an opinion: the explanation must name a documented "
                "counter-position („Gegenposition: …“ / “Counter-position: …”)",
            )
        if isinstance(question, schema.FactOrOpinion):
            self.check_classify(path, question, claim)
        words = len(question.explanation.split())
        low, high = EXPLANATION_WORDS
        if not low <= words <= high:
            self.warn(
                (*path, "explanation"),
                f"{words} words; an Erläuterung has {low}–{high} words (EDITORIAL.md)",
            )
        outside_quotes = _QUOTED.sub(" ", question.prompt).casefold()
        for word in self.loaded_words:
            if word in outside_quotes:
                self.error(
                    (*path, "prompt"),
                    f"the loaded word '{word}' may appear only inside quotation marks, "
                    "attributed; use a neutral word",
                )

    def check_classify(
        self, path: Path_, question: "schema.FactOrOpinion", claim: ClaimSpec
    ) -> None:
        """A fact-or-opinion item asks for the kind of statement, never for its truth."""
        if "claim" in question.choices:
            self.error(
                (*path, "choices"),
                "offer kinds of statement, not verdicts: a checkable statement is 'fact' "
                "(Tatsachenbehauptung) whether or not it holds, so 'claim' is no choice here",
            )
        allowed = CLASSIFY_KINDS.get(question.solution, ())
        if question.solution != "claim" and claim.kind not in allowed:
            self.error(
                (*path, "solution"),
                f"keyed {question.solution}, but claim {claim.key} is of kind {claim.kind}",
            )

    def check_bank_balance(
        self, claims: dict[str, ClaimSpec], questions: list[QuestionSpec]
    ) -> None:
        """Bank-wide: both kinds keyed in fact-or-opinion sets; counter-positions varied."""
        paths = self.item_paths("questions")
        classify = [q for q in questions if isinstance(q, schema.FactOrOpinion)]
        keyed = {q.solution for q in classify}
        for kind in ("fact", "opinion"):
            if classify and kind not in keyed:
                self.warn(
                    (*paths[classify[0].key], "solution"),
                    f"no fact-or-opinion item of this bank is keyed {kind}: a set needs "
                    "statements of fact (true ones too) and opinions, or the key can be guessed",
                )
        opinions = [c for c in claims.values() if c.kind == "opinion"]
        cited: Counter[str] = Counter()
        for claim in opinions:
            cited.update({p.source.url.rstrip("/") for p in claim.counter_positions})
        claim_paths = self.item_paths("claims")
        for url, count in sorted(cited.items()):
            if count >= 2 and count > COUNTER_POSITION_SHARE * len(opinions):
                first = next(
                    c
                    for c in opinions
                    if url in {p.source.url.rstrip("/") for p in c.counter_positions}
                )
                self.warn(
                    (*claim_paths[first.key], "counter_positions"),
                    f"the counter-position from {url} answers {count} of {len(opinions)} "
                    "opinions (more than a quarter): vary the counter-positions",
                )

    def check_quotes(
        self, meta: BankMeta | None, claims: dict[str, ClaimSpec], questions: list[QuestionSpec]
    ) -> dict[str, tuple[int, int]]:
        """Find every claim's quote (and fact-or-opinion statement) verbatim in the article."""
        if meta is None:
            return {}
        text = self.article_text(meta.article)
        if text is None:
            self.error(
                ("bank", "article"),
                f"the article '{meta.article}' is not imported; run "
                f"`flask quiz import-article seeds/{meta.article}.txt` first",
            )
            return {}
        offsets = {}
        paths = self.item_paths("claims")
        for key, claim in claims.items():
            found = find_quote(text, claim.quote)
            if found is None:
                self.error((*paths[key], "quote"), self.not_found(meta.article, text, claim.quote))
            else:
                offsets[key] = found
        question_paths = self.item_paths("questions")
        for question in questions:
            if isinstance(question, schema.FactOrOpinion):
                if find_quote(text, question.statement) is None:
                    self.error(
                        (*question_paths[question.key], "statement"),
                        self.not_found(meta.article, text, question.statement),
                    )
        return offsets

    def item_paths(self, section: str) -> dict[str, Path_]:
        """Map the keys of a section's items to their paths (first occurrence)."""
        paths: dict[str, Path_] = {}
        for index, item in enumerate(self.data.get(section) or []):
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                paths.setdefault(item["key"], (section, index))
        return paths

    @staticmethod
    def not_found(slug: str, text: str, quote: str) -> str:
        """Say that a quote is not in the article and where it stops matching."""
        prefix = longest_found_prefix(text, quote)
        hint = f"; it matches up to “{prefix[-40:]}”" if len(prefix) >= 10 else ""
        return (
            f"not found verbatim in article '{slug}' (only whitespace and the style of "
            f"quotation marks may differ){hint}"
        )
