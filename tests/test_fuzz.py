"""Fuzzing every JSON endpoint and every form: never a 500, a clear 4xx, nothing changed.

- schemathesis over /api/v1/openapi.json (in process, all checks, valid and invalid data);
- hypothesis over every POST route of the URL map (forms: any fields, any Unicode text;
  JSON routes: any JSON shape, ids of any size), as a logged-in teacher, learner and guest;
- hypothesis over every route with an id in its path: any integer, of any size.

Invariant for each request: the status is below 500; a refusal (4xx) says why (an error
page's or JSON message, or a flashed message after a redirect) and leaves every table
exactly as it was. Examples are bounded (see EXAMPLES) so the whole file runs in about a
minute; the number of requests sent is printed at the end of each test.
"""

import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from sqlalchemy import select

from quizapp.extensions import db, limiter
from tests.test_access_matrix import PARAMETERS, QUERIES, SLUGS, build_world

EXAMPLES = 30
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as a browser can send it (any Unicode but lone surrogates, which UTF-8 cannot carry).
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
# Numbers a form or URL may carry, however large or odd.
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "-1", "²", "1e9", "0x10", "١٢", " 7 ", "9" * 30]),
    st.sampled_from(["0001-01-01T00:30", "9999-12-31T23:59", "2026-02-30T10:00", "/\t/x"]),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
JSON_BODIES = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            "version_id": JSON_VALUES | st.integers(),
            "answer": JSON_VALUES,
            "index": JSON_VALUES | st.integers(min_value=-3, max_value=10),
        },
    ),
)


def snapshot() -> dict:
    """Every row of every table (the world is small)."""
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


class Prober:
    """Sends requests as one identity and checks the invariant on each answer."""

    def __init__(self, app, client):
        self.app = app
        self.client = client
        self.sent = 0

    def csrf(self) -> str:
        return self.client.get("/api/v1/csrf").get_json()["csrf_token"]

    def send(self, method: str, path: str, **kwargs):
        with self.app.app_context():
            limiter.reset()
            before = snapshot()
        response = self.client.open(path, method=method, **kwargs)
        self.sent += 1
        status = response.status_code
        body = response.get_data().decode("utf-8", "replace")
        assert status < 500, f"{method} {path} {kwargs}: {status}\n{body[:2000]}"
        if 400 <= status < 500:
            with self.app.app_context():
                assert snapshot() == before, f"{method} {path} {kwargs}: refused but changed data"
            assert _says_why(response, body), f"{method} {path}: {status} without a message"
        return response


def _says_why(response, body: str) -> bool:
    """Whether a refusal carries a message a person can read."""
    if response.is_json:
        data = response.get_json()
        return isinstance(data, dict) and bool(data.get("message") or data.get("error"))
    if response.status_code == 405:
        return "Allow" in response.headers
    text = re.sub(r"<[^>]+>", " ", body)
    return len(text.split()) >= 3


def _rules(app, method: str):
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if method in rule.methods and rule.endpoint != "static"
    ]


def _fill(rule, ids: dict, overrides: dict | None = None) -> str:
    values = {}
    for name in rule.arguments:
        if overrides and name in overrides:
            values[name] = overrides[name]
        elif name == "slug":
            values[name] = ids[SLUGS.get(rule.endpoint, "bank_slug")]
        else:
            values[name] = ids[PARAMETERS[name]]
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
    if rule.endpoint in QUERIES:
        name, key = QUERIES[rule.endpoint]
        path += f"?{name}={ids[key]}"
    return path


def _form_fields(app, prober: Prober, ids: dict) -> list[str]:
    """The names of every form field on every page this identity can open."""
    names = set()
    for rule in _rules(app, "GET"):
        if rule.endpoint == "live.events":
            continue  # a stream, no form
        page = prober.client.get(_fill(rule, ids))
        names |= set(re.findall(r'name="([^"]+)"', page.get_data().decode("utf-8", "replace")))
    return sorted(names - {"csrf_token"})


IDENTITIES = ("teacher", "learner", "guest")


@pytest.fixture
def world(app):
    app.config["LIVE_TIMERS"] = False
    yield build_world(app)
    app.config["LIVE_TIMERS"] = True


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_form_survives_any_input(app, world, identity):
    """Every POST route, with fields of the app's forms (and one none has) filled at random."""
    prober = Prober(app, world.clients[identity])
    rules = [r for r in _rules(app, "POST") if r.endpoint not in ("auth.logout",)]
    fields = _form_fields(app, prober, world.ids)
    assert {"email", "password", "pin", "display_name"} <= set(fields)

    @FUZZ
    @given(data=st.data())
    def probe(data):
        rule = data.draw(st.sampled_from(rules))
        names = fields + ["extra"]
        form = {
            name: data.draw(st.one_of(TEXT, NUMBERS, st.lists(TEXT, max_size=3)))
            for name in data.draw(st.lists(st.sampled_from(names), unique=True, max_size=6))
        }
        form["csrf_token"] = prober.csrf()
        prober.send("POST", _fill(rule, world.ids), data=form)

    for _ in range(4):
        probe()
    print(f"{identity}: {prober.sent} form requests")


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_json_endpoint_survives_any_json(app, world, identity):
    """The routes that read JSON bodies, with any JSON (and ids of any size in the path)."""
    prober = Prober(app, world.clients[identity])
    json_routes = [
        r
        for r in _rules(app, "POST")
        if r.rule.startswith("/api/") or r.endpoint in ("live.answer", "live.control")
    ]
    assert len(json_routes) >= 4

    @FUZZ
    @given(data=st.data())
    def probe(data):
        rule = data.draw(st.sampled_from(json_routes))
        ids = {
            name: data.draw(st.one_of(st.just(world.ids[PARAMETERS[name]]), NUMBERS))
            for name in rule.arguments
        }
        body = data.draw(JSON_BODIES)
        raw = data.draw(
            st.one_of(
                st.just(json.dumps(body)),
                st.just(json.dumps(body)[:-1]),
                st.just("[" * 5000),
                st.just('{"answer": "\\ud800", "version_id": 1, "index": 0}'),
            )
        )
        path = _fill(
            rule, world.ids, {k: v for k, v in ids.items() if re.fullmatch(r"-?\d+", str(v))}
        )
        prober.send(
            "POST",
            path,
            data=raw,
            content_type="application/json",
            headers={"X-CSRFToken": prober.csrf(), "Accept": "application/json"},
        )

    for _ in range(4):
        probe()
    print(f"{identity}: {prober.sent} JSON requests")


def test_any_id_in_any_path(app, world):
    """Every route with ids in its path, with integers of any size and sign."""
    prober = Prober(app, world.clients["teacher"])
    rules = [
        r
        for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        # The event stream never ends by itself (tests/test_hardening_medium.py covers it).
        if any(name.endswith("_id") or name == "number" for name in r.arguments)
        and r.endpoint != "live.events"
    ]

    @FUZZ
    @given(data=st.data(), number=st.integers(min_value=-(2**80), max_value=2**80))
    def probe(data, number):
        rule = data.draw(st.sampled_from(rules))
        name = data.draw(st.sampled_from(sorted(rule.arguments)))
        method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        path = _fill(rule, world.ids, {name: number})
        kwargs = {"data": {"csrf_token": prober.csrf()}} if method == "POST" else {}
        response = prober.send(method, path, **kwargs)
        if not 0 < number < 2**31:
            # No id that large (or small): not found. Werkzeug answers 405 when another
            # method's rule has the same pattern; no row is looked up either way.
            assert response.status_code in (404, 405)

    for _ in range(6):
        probe()
    print(f"{prober.sent} requests with odd ids")


# --- schemathesis over the OpenAPI document ---------------------------------------------------


def _api_schema(app):
    config = schemathesis.Config()
    config.projects.default.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def test_api_schemathesis_all_checks(app, world):
    """Every operation of the document, valid and invalid data, every schemathesis check.

    positive_data_acceptance is left out: a schema-valid answer can still be wrong for its
    question type (an option id that does not exist), which is the documented 422.
    """
    client = world.clients["learner"]
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    headers = {"X-CSRFToken": token, "Cookie": cookie}
    schema = _api_schema(app)
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def probe(case):
            nonlocal sent
            with app.app_context():
                limiter.reset()
            case.call_and_validate(
                headers=headers,
                excluded_checks=[schemathesis.checks.positive_data_acceptance],
            )
            sent += 1

        probe()
    print(f"schemathesis: {sent} requests")
