"""Transport and auth layer, checked with plain ``requests`` (the contract's
README, "Transport, auth", "JSON conventions" and "Error format", and
gazu-api.md section 1).

These pin what gazu relies on without going through gazu: the unauthenticated
API root, the optional ``/api`` prefix and trailing slash, login failures,
JWT error statuses (gazu maps 401/422 to exceptions), refresh, logout, the
Kitsu cookie, generic filters, pagination, and the CRUD error bodies.
"""

import math

import gazu
import pytest
import requests

from support import ADMIN_EMAIL, ADMIN_PASSWORD, unique

TIMEOUT = 15


def login(api_url, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    """A fresh admin session (its own tokens, so that logging it out does
    not disturb the tokens other tests use)."""
    response = requests.post(
        f"{api_url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --------------------------------------------------------------------------
# Liveness, prefix and slashes
# --------------------------------------------------------------------------


def test_api_root_without_auth(api_url):
    """GET /api/ (gazu's get_api_version) needs no token."""
    response = requests.get(f"{api_url}/", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"api": "Zou", "version": "1.0.97"}


def test_head_api_host_is_up(api_url):
    """gazu.client.host_is_up sends ``HEAD <host>`` (no slash, no auth) -> 200."""
    response = requests.head(api_url, timeout=TIMEOUT, allow_redirects=False)
    assert response.status_code == 200
    gazu.set_host(api_url)
    assert gazu.client.host_is_up() is True


def test_host_is_valid(api_url):
    """gazu.client.host_is_valid: HEAD, then POST auth/login {"email": ""}
    must answer 400 or 401."""
    gazu.set_host(api_url)
    assert gazu.client.host_is_valid() is True


def test_routes_work_without_api_prefix(base_url, admin):
    """Zou's routes have no /api prefix (a proxy adds it): both forms work."""
    response = requests.get(f"{base_url}/data/projects", headers=admin.headers(), timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)
    root = requests.get(f"{base_url}/", timeout=TIMEOUT)
    assert root.status_code == 200
    assert root.json() == {"api": "Zou", "version": "1.0.97"}


@pytest.mark.parametrize("path", ["/data/projects/", "/data/task-types/", "/data/persons/"])
def test_trailing_slash_is_accepted(api_url, admin, path):
    """strict_slashes=False: ``data/projects/`` is ``data/projects``."""
    with_slash = requests.get(api_url + path, headers=admin.headers(), timeout=TIMEOUT)
    without = requests.get(api_url + path.rstrip("/"), headers=admin.headers(), timeout=TIMEOUT)
    assert with_slash.status_code == 200, with_slash.text
    assert with_slash.json() == without.json()


# --------------------------------------------------------------------------
# Login, tokens
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email,password",
    [(ADMIN_EMAIL, "wrong password"), ("nobody@example.com", ADMIN_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_login(api_url, email, password):
    response = requests.post(
        f"{api_url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    assert response.status_code == 400
    assert response.json() == {"login": False, "message": "Wrong email or password."}


def test_wrong_login_through_gazu(api_url):
    client = gazu.client.create_client(api_url)
    with pytest.raises(gazu.exception.AuthFailedException):
        gazu.log_in(ADMIN_EMAIL, "wrong password", client=client)


def test_login_organisation(api_url):
    """The login body carries the organisation: "Kitsu", hours_by_day 8.0."""
    body = login(api_url)
    organisation = body["organisation"]
    assert organisation["type"] == "Organisation"
    assert organisation["name"] == "Kitsu"
    assert organisation["hours_by_day"] == 8.0
    assert isinstance(organisation["hours_by_day"], float)


def test_no_token_is_401(api_url):
    response = requests.get(f"{api_url}/data/projects", timeout=TIMEOUT)
    assert response.status_code == 401
    assert "msg" in response.json()


def test_no_token_through_gazu(api_url):
    client = gazu.client.create_client(api_url)
    with pytest.raises(gazu.exception.NotAuthenticatedException):
        gazu.project.all_projects(client=client)


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_garbage_token_is_422(api_url, token):
    """flask-jwt-extended answers 422 {"msg": ...} to an undecodable token
    (gazu raises ValidationException)."""
    response = requests.get(f"{api_url}/data/projects", headers=bearer(token), timeout=TIMEOUT)
    assert response.status_code == 422
    assert "msg" in response.json()


def test_authenticated(api_url, admin):
    response = requests.get(f"{api_url}/auth/authenticated", headers=admin.headers(), timeout=TIMEOUT)
    assert response.status_code == 200
    body = response.json()
    assert body["authenticated"] is True
    assert body["user"]["email"] == ADMIN_EMAIL
    assert body["user"]["type"] == "Person"
    assert body["organisation"]["name"] == "Kitsu"


def test_refresh_token(api_url):
    """GET /auth/refresh-token with the refresh token as bearer ->
    {"access_token"}; the new access token works."""
    tokens = login(api_url)
    response = requests.get(
        f"{api_url}/auth/refresh-token", headers=bearer(tokens["refresh_token"]), timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    access_token = response.json()["access_token"]
    assert isinstance(access_token, str) and access_token
    check = requests.get(f"{api_url}/data/projects", headers=bearer(access_token), timeout=TIMEOUT)
    assert check.status_code == 200


def test_refresh_through_gazu(api_url):
    client = gazu.client.create_client(api_url)
    gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
    tokens = gazu.refresh_access_token(client=client)
    assert tokens["access_token"] and client.access_token == tokens["access_token"]
    assert client.refresh_token  # kept
    assert isinstance(gazu.project.all_projects(client=client), list)


def test_logout_revokes_the_access_token(api_url):
    tokens = login(api_url)
    headers = bearer(tokens["access_token"])
    assert requests.get(f"{api_url}/data/projects", headers=headers, timeout=TIMEOUT).status_code == 200
    response = requests.get(f"{api_url}/auth/logout", headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"logout": True}
    after = requests.get(f"{api_url}/data/projects", headers=headers, timeout=TIMEOUT)
    assert after.status_code == 401


def test_log_out_through_gazu(api_url):
    client = gazu.client.create_client(api_url)
    gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
    token = client.access_token
    gazu.log_out(client=client)
    assert client.access_token is None
    after = requests.get(f"{api_url}/data/projects", headers=bearer(token), timeout=TIMEOUT)
    assert after.status_code == 401


def test_cookie_instead_of_header(api_url, admin):
    """Kitsu (the web app) sends ``access_token_cookie=<token>``."""
    response = requests.get(
        f"{api_url}/data/projects",
        cookies={"access_token_cookie": admin.access_token},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)


# --------------------------------------------------------------------------
# Generic CRUD lists: filters and pagination
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["modeling", "Modeling", "MODELING"])
def test_name_filter_is_case_insensitive(api_url, admin, name):
    response = requests.get(
        f"{api_url}/data/task-types", params={"name": name}, headers=admin.headers(), timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["Modeling"]


@pytest.mark.parametrize("value", ["True", "true", "1"])
def test_boolean_filter_spellings(api_url, admin, value):
    """gazu sends ``True``; Zou parses booleans like strtobool. After
    init-data two statuses are default: Todo (first) and Neutral."""
    response = requests.get(
        f"{api_url}/data/task-status",
        params={"is_default": value},
        headers=admin.headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert [s["name"] for s in response.json()] == ["Todo", "Neutral"]


@pytest.mark.parametrize("value", ["False", "false", "0"])
def test_boolean_filter_false(api_url, admin, value):
    response = requests.get(
        f"{api_url}/data/task-status",
        params={"is_default": value},
        headers=admin.headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    names = {s["name"] for s in response.json()}
    assert "Todo" not in names and "Work In Progress" in names


def test_unknown_filter_value_gives_empty_list(api_url, admin):
    response = requests.get(
        f"{api_url}/data/task-types",
        params={"name": "no such task type"},
        headers=admin.headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json() == []


def test_pagination_envelope(api_url, admin):
    """``?page=1&limit=2`` switches to {data, total, nb_pages, limit, offset, page}."""
    everything = requests.get(f"{api_url}/data/task-types", headers=admin.headers(), timeout=TIMEOUT).json()
    response = requests.get(
        f"{api_url}/data/task-types",
        params={"page": 1, "limit": 2},
        headers=admin.headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "total", "nb_pages", "limit", "offset", "page"}
    assert len(body["data"]) == 2
    assert body["total"] == len(everything)
    assert body["nb_pages"] == math.ceil(len(everything) / 2)
    assert body["limit"] == 2
    assert body["offset"] == 0
    assert body["page"] == 1
    assert all(isinstance(body[k], int) and not isinstance(body[k], bool) for k in body if k != "data")
    assert {t["id"] for t in body["data"]} <= {t["id"] for t in everything}


def test_pagination_second_page(api_url, admin):
    first = requests.get(
        f"{api_url}/data/task-types", params={"page": 1, "limit": 2}, headers=admin.headers(), timeout=TIMEOUT
    ).json()
    second = requests.get(
        f"{api_url}/data/task-types", params={"page": 2, "limit": 2}, headers=admin.headers(), timeout=TIMEOUT
    ).json()
    assert second["page"] == 2 and second["offset"] == 2
    assert not {t["id"] for t in first["data"]} & {t["id"] for t in second["data"]}


# --------------------------------------------------------------------------
# CRUD errors
# --------------------------------------------------------------------------


def test_malformed_id_is_400(api_url, admin):
    response = requests.get(f"{api_url}/data/projects/not-a-uuid", headers=admin.headers(), timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Malformed ID.", "data": None}


def test_unknown_id_is_404(api_url, admin):
    response = requests.get(
        f"{api_url}/data/projects/9b1c6c1c-2f5e-4a57-9d8e-4d7c2a0b1f00",
        headers=admin.headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 404
    body = response.json()
    assert body["error"] is True
    assert body["message"].startswith("404 Not Found")


def test_unknown_id_through_gazu(gazu_admin):
    """gazu 1.3.1 raises RouteNotFoundException for a missing object."""
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.project.get_project("9b1c6c1c-2f5e-4a57-9d8e-4d7c2a0b1f00")


def test_post_missing_required_field(api_url, admin):
    response = requests.post(f"{api_url}/data/projects", json={}, headers=admin.headers(), timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json() == {"message": "A required field is missing."}


def test_delete_department(api_url, admin):
    """Generic CRUD: POST -> 201, DELETE -> 204 with an empty body, GET -> 404."""
    created = requests.post(
        f"{api_url}/data/departments",
        json={"name": unique("Dept "), "color": "#123456"},
        headers=admin.headers(),
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    department = created.json()
    assert department["type"] == "Department"
    url = f"{api_url}/data/departments/{department['id']}"
    assert requests.get(url, headers=admin.headers(), timeout=TIMEOUT).status_code == 200
    deleted = requests.delete(url, headers=admin.headers(), timeout=TIMEOUT)
    assert deleted.status_code == 204
    assert deleted.text == ""
    assert requests.get(url, headers=admin.headers(), timeout=TIMEOUT).status_code == 404
