"""The OpenAPI 3.1 document of /api/v1, kept next to the views it describes."""

PREFIX = "/api/v1"
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    """A JSON response."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    """Error responses, all in the Error shape."""
    text = {
        400: "Malformed request",
        403: "Missing or invalid CSRF token (X-CSRFToken)",
        404: "No such quiz or attempt, or not yours",
        409: "Not possible now (finished, time is up, no attempts left, …)",
        422: "The answer could not be read; the message says why",
        429: "Too many attempts started from this address",
    }
    return {str(code): _json(_ref("Error"), text[code]) for code in codes}


ID = {"type": "integer", "minimum": 1}
SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "status"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "integer"},
        },
    },
    "Csrf": {
        "type": "object",
        "required": ["csrf_token"],
        "properties": {"csrf_token": {"type": "string"}},
    },
    "Quiz": {
        "type": "object",
        "required": ["id", "title", "mode", "feedback", "grading_method"],
        "properties": {
            "id": ID,
            "title": {"type": "string"},
            "bank": NULLABLE_STRING,
            "mode": {"type": "string"},
            "feedback": {"enum": ["after_each", "at_end"]},
            "selection": {"type": "string"},
            "tag": NULLABLE_STRING,
            "count": NULLABLE_INT,
            "shuffle_questions": {"type": "boolean"},
            "shuffle_options": {"type": "boolean"},
            "time_limit_s": NULLABLE_INT,
            "attempts_allowed": NULLABLE_INT,
            "grading_method": {"enum": ["highest", "average", "first", "last"]},
            "result": {**NULLABLE_NUMBER, "description": "0..1 by the grading method"},
            "attempts_left": NULLABLE_INT,
            "open_attempt_id": NULLABLE_INT,
        },
    },
    "QuizList": {
        "type": "object",
        "required": ["quizzes"],
        "properties": {"quizzes": {"type": "array", "items": _ref("Quiz")}},
    },
    "Claim": {
        "type": "object",
        "required": ["key", "kind", "quote"],
        "properties": {
            "key": {"type": "string"},
            "kind": {"enum": ["fact", "claim", "opinion", "quote", "prediction"]},
            "verdict": {"type": ["string", "null"]},
            "quote": {"type": "string", "description": "verbatim from the article"},
            "speaker": NULLABLE_STRING,
            "note": NULLABLE_STRING,
            "sources": {"type": "array", "items": {"type": "object"}},
            "checked_on": {"type": ["string", "null"], "format": "date"},
            "article_url": NULLABLE_STRING,
        },
    },
    "Feedback": {
        "type": "object",
        "description": (
            "Only once an answer is final (practice: at once; exam: at the end). A finished "
            "attempt shows only what the quiz's review options allow now: hidden parts are null "
            "(status 'hidden' when whether it was right is not shown)."
        ),
        "required": ["version_id", "answered", "status", "solution", "explanation", "claim"],
        "properties": {
            "version_id": ID,
            "answered": {"type": "boolean"},
            "answer": {"description": "the stored answer in its canonical form"},
            "score": NULLABLE_NUMBER,
            "correct": {"type": ["boolean", "null"]},
            "status": {"enum": ["right", "partly", "wrong", "unscored", "unanswered", "hidden"]},
            "detail": {"type": ["object", "null"]},
            "solution": {"type": ["object", "null"]},
            "solution_text": {"type": "array", "items": {"type": "string"}},
            "explanation": {"type": ["string", "null"]},
            "claim": {"oneOf": [_ref("Claim"), {"type": "null"}]},
        },
    },
    "Question": {
        "type": "object",
        "required": ["position", "version_id", "type", "prompt", "view", "answered"],
        "properties": {
            "position": {"type": "integer"},
            "version_id": ID,
            "type": {"type": "string"},
            "prompt": {"type": "string"},
            "instruction": {"type": "string"},
            "view": {
                "type": "object",
                "description": "what the learner needs to answer; never the key",
            },
            "answered": {"type": "boolean"},
            "feedback": {"oneOf": [_ref("Feedback"), {"type": "null"}]},
        },
    },
    "Attempt": {
        "type": "object",
        "required": ["id", "quiz_id", "mode", "started_at", "questions"],
        "properties": {
            "id": ID,
            "quiz_id": ID,
            "mode": {"type": "string"},
            "started_at": {"type": "string", "format": "date-time"},
            "deadline_at": TIME,
            "seconds_left": NULLABLE_INT,
            "finished_at": TIME,
            "score": NULLABLE_NUMBER,
            "max_score": NULLABLE_NUMBER,
            "next_version_id": NULLABLE_INT,
            "questions": {"type": "array", "items": _ref("Question")},
        },
    },
    "AnswerRequest": {
        "type": "object",
        "required": ["version_id", "answer"],
        "properties": {
            "version_id": ID,
            "answer": {
                "type": ["integer", "number", "boolean", "string", "array", "object"],
                "description": (
                    "single_choice: option id; multiple_choice: [ids]; true_false: bool; "
                    "cloze: [text per gap]; numeric: number; ordering: [item ids]; "
                    "matching: {left index: right id}; fact_or_opinion: category; "
                    "reflection: text"
                ),
            },
        },
    },
    "AnswerResult": {
        "type": "object",
        "required": ["version_id", "answered_at", "next_version_id", "finished"],
        "properties": {
            "version_id": ID,
            "answered_at": {"type": "string", "format": "date-time"},
            "feedback": {"oneOf": [_ref("Feedback"), {"type": "null"}]},
            "next_version_id": NULLABLE_INT,
            "finished": {"type": "boolean"},
            "score": NULLABLE_NUMBER,
            "max_score": NULLABLE_NUMBER,
        },
    },
    "Results": {
        "type": "object",
        "required": ["attempt_id", "quiz_id", "score", "max_score", "questions"],
        "properties": {
            "attempt_id": ID,
            "quiz_id": ID,
            "score": NULLABLE_NUMBER,
            "max_score": NULLABLE_NUMBER,
            "quiz_result": NULLABLE_NUMBER,
            "review": {
                "type": "array",
                "description": "What the review options show now (score, correctness, answers, "
                "explanations)",
                "items": {"enum": ["answers", "correctness", "explanations", "score"]},
            },
            "questions": {
                "type": "array",
                "items": {
                    "allOf": [
                        _ref("Feedback"),
                        {
                            "type": "object",
                            "required": ["position", "prompt", "type"],
                            "properties": {
                                "position": {"type": "integer"},
                                "prompt": {"type": "string"},
                                "type": {"type": "string"},
                            },
                        },
                    ]
                },
            },
        },
    },
}


def _path_id(name: str) -> dict:
    """A positive integer path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


CSRF = [{"csrf": []}]
PATHS = {
    "/csrf": {
        "get": {
            "operationId": "getCsrfToken",
            "summary": "A CSRF token for the X-CSRFToken header of POST requests",
            "responses": {"200": _json(_ref("Csrf"), "The token")},
        }
    },
    "/quizzes": {
        "get": {
            "operationId": "listQuizzes",
            "summary": "The quizzes learners can take (practice and exam of every bank)",
            "responses": {"200": _json(_ref("QuizList"), "The quizzes")},
        }
    },
    "/quizzes/{quiz_id}": {
        "get": {
            "operationId": "getQuiz",
            "summary": "A quiz with your result, attempts left and open attempt",
            "parameters": [_path_id("quiz_id")],
            "responses": {"200": _json(_ref("Quiz"), "The quiz"), **_errors(404)},
        }
    },
    "/quizzes/{quiz_id}/attempts": {
        "post": {
            "operationId": "startAttempt",
            "summary": "Start an attempt, or get the open one back",
            "description": "Guests get a guest cookie that identifies their attempts.",
            "security": CSRF,
            "parameters": [_path_id("quiz_id")],
            "responses": {
                "201": _json(_ref("Attempt"), "A new attempt"),
                "200": _json(_ref("Attempt"), "The open attempt, to resume"),
                **_errors(400, 403, 404, 409, 429),
            },
        }
    },
    "/attempts/{attempt_id}": {
        "get": {
            "operationId": "getAttempt",
            "summary": "An attempt with its questions as the learner sees them",
            "parameters": [_path_id("attempt_id")],
            "responses": {"200": _json(_ref("Attempt"), "The attempt"), **_errors(404)},
        }
    },
    "/attempts/{attempt_id}/answers": {
        "post": {
            "operationId": "answerQuestion",
            "summary": "Answer one question; a repeat returns the first result unchanged",
            "security": CSRF,
            "parameters": [_path_id("attempt_id")],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("AnswerRequest")}},
            },
            "responses": {
                "200": _json(_ref("AnswerResult"), "The answer is saved (or was before)"),
                **_errors(400, 403, 404, 409, 422),
            },
        }
    },
    "/attempts/{attempt_id}/finish": {
        "post": {
            "operationId": "finishAttempt",
            "summary": "Hand the attempt in now",
            "security": CSRF,
            "parameters": [_path_id("attempt_id")],
            "responses": {
                "200": _json(_ref("Attempt"), "The finished attempt"),
                **_errors(400, 403, 404),
            },
        }
    },
    "/attempts/{attempt_id}/results": {
        "get": {
            "operationId": "getResults",
            "summary": "Score and, per question, both answers, explanation and source",
            "parameters": [_path_id("attempt_id")],
            "responses": {"200": _json(_ref("Results"), "The results"), **_errors(404, 409)},
        }
    },
}


def document() -> dict:
    """Return the OpenAPI document, with this server's base URL."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "quizapp API",
            "version": "1.0.0",
            "description": (
                "Quizzes, attempts and answers. Who you are comes from the session cookie "
                "(or, for guests, the quizapp_guest cookie); POST requests need the token "
                "from GET /csrf in the X-CSRFToken header. The answer key is never sent "
                "before an answer is final."
            ),
        },
        "servers": [{"url": PREFIX}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}},
        },
    }
