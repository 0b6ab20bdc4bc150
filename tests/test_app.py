"""The app shell: health check, languages, security headers, error pages."""

from tests.conftest import csrf_token


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_start_page_is_german_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Nachrichten verstehen" in page


def test_accept_language_english(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Understand the news" in page


def test_language_switch_is_remembered(client):
    page = client.get("/login")
    response = client.post("/lang/en", data={"csrf_token": csrf_token(page), "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "Log in" in client.get("/login").get_data(as_text=True)
    page = client.get("/")
    client.post("/lang/de", data={"csrf_token": csrf_token(page), "next": "/"})
    assert "Anmelden" in client.get("/").get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(client, auth):
    response = auth.register()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_404_page_is_friendly(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.get_data(as_text=True)


def test_500_page_says_what_happened(app):
    from quizapp import create_app

    broken = create_app({"TESTING": False, "SECRET_KEY": "x"})

    @broken.route("/_boom_for_test")
    def boom():
        raise RuntimeError("boom")

    response = broken.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    assert "Etwas ist schiefgegangen" in response.get_data(as_text=True)


def test_catalogues_are_complete():
    from quizapp.i18n import areas, missing

    for name in areas():
        gaps = missing(name)
        assert gaps == {"de": [], "en": []}, f"{name}: untranslated {gaps}"
