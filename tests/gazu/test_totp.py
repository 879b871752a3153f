"""TOTP two-factor authentication as Zou 1.0.97 serves it (Kitsu's profile
page; gazu has no call for it, so raw requests here).

``PUT /auth/totp`` hands out a secret (and Zou's ``totp_provisionning_uri``,
spelled so); ``POST /auth/totp`` with a current code turns TOTP on and
answers sixteen recovery codes and new tokens; then a login needs a code
(or a recovery code, spent once), with Zou's ``missing_OTP`` /
``wrong_OTP`` answers; ``DELETE /auth/totp`` turns it off given a valid
code; an admin turns it off for another person with gazu's
``person.disable_two_factor_authentication``, an artist may not.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import gazu
import requests

from support import ARTIST_PASSWORD, unique

TIMEOUT = 30
FORBIDDEN = ("You don't have the permission to access the requested resource. "
             "It is either read-protected or not readable by the server.")
MISSING_OTP = {
    "error": True, "login": False, "missing_OTP": True,
    "message": "A two-factor authentication code is required.",
    "preferred_two_factor_authentication": "totp",
    "two_factor_authentication_enabled": ["recovery_code", "totp"],
}
WRONG_OTP = {"error": True, "login": False, "wrong_OTP": True,
             "message": "Wrong two-factor authentication code."}
WRONG_ON_DELETE = {"error": True, "message": "OTP verification failed.", "wrong_OTP": True}
NOT_ENABLED = {"error": True, "message": "TOTP not enabled."}
ALREADY = {"error": True, "message": "TOTP already enabled."}


def totp_now(secret: str) -> str:
    """The current RFC 6238 code of a base32 secret (SHA-1, 6 digits, 30 s)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def login(api_url, email, **extra):
    r = requests.post(f"{api_url}/auth/login",
                      json={"email": email, "password": ARTIST_PASSWORD, **extra},
                      timeout=TIMEOUT)
    return r.status_code, r.json()


class Person:
    """A new person (role `user`) and raw calls as that person."""

    def __init__(self, api_url, admin, role="user"):
        admin.activate()
        self.api_url = api_url
        self.email = f"{unique('totp')}@example.com".lower()
        self.row = gazu.person.new_person("Totp", "User", self.email,
                                          password=ARTIST_PASSWORD, role=role)
        status, body = login(api_url, self.email)
        assert status == 200, body
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}
        self.secret = None

    def call(self, method, path, **kw):
        r = requests.request(method, f"{self.api_url}/{path}", headers=self.headers,
                             timeout=TIMEOUT, **kw)
        return r.status_code, r.json()

    def enable(self):
        status, body = self.call("PUT", "auth/totp", json={})
        assert status == 200, body
        self.secret = body["otp_secret"]
        status, body = self.call("POST", "auth/totp", json={"totp": totp_now(self.secret)})
        assert status == 200, body
        return body

    def read(self, admin):
        admin.activate()
        return gazu.person.get_person(self.row["id"])


def test_enable_then_login_needs_a_code(api_url, admin):
    me = Person(api_url, admin)
    status, body = me.call("PUT", "auth/totp", json={})
    assert status == 200, body
    assert sorted(body) == ["otp_secret", "totp_provisionning_uri"]
    secret = body["otp_secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    uri = body["totp_provisionning_uri"]
    assert uri.startswith("otpauth://totp/Kitsu%20")
    assert f"secret={secret}" in uri and "issuer=Kitsu%20" in uri
    assert me.read(admin)["totp_enabled"] is False

    # Still off: a login needs no code.
    assert login(api_url, me.email)[0] == 200

    assert me.call("POST", "auth/totp", json={"totp": "abcdef"}) == (
        400, {"error": True, "message": "TOTP verification failed.", "wrong_OTP": True})
    assert me.call("POST", "auth/totp", json={})[0] == 400
    status, body = me.call("POST", "auth/totp", json={"totp": totp_now(secret)})
    assert status == 200, body
    assert sorted(body) == ["access_token", "otp_recovery_codes", "refresh_token"]
    codes = body["otp_recovery_codes"]
    assert len(codes) == 16 and len(set(codes)) == 16
    assert all(re.fullmatch(r"[A-Z0-9]{10}", c) for c in codes)
    # The new access token works.
    r = requests.get(f"{api_url}/auth/authenticated", timeout=TIMEOUT,
                     headers={"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 200 and r.json()["user"]["id"] == me.row["id"]

    person = me.read(admin)
    assert person["totp_enabled"] is True
    assert person["preferred_two_factor_authentication"] == "totp"
    assert "totp_secret" not in person and "otp_recovery_codes" not in person

    assert me.call("PUT", "auth/totp", json={}) == (400, ALREADY)
    assert me.call("POST", "auth/totp", json={"totp": totp_now(secret)}) == (400, ALREADY)

    assert login(api_url, me.email) == (400, MISSING_OTP)
    assert login(api_url, me.email, totp="abcdef") == (400, WRONG_OTP)
    # A wrong password is still the password's answer, code or not.
    r = requests.post(f"{api_url}/auth/login", timeout=TIMEOUT,
                      json={"email": me.email, "password": "nope-nope", "totp": totp_now(secret)})
    assert (r.status_code, r.json()) == (400, {"login": False, "message": "Wrong email or password."})
    status, body = login(api_url, me.email, totp=totp_now(secret))
    assert status == 200 and body["login"] is True
    assert body["user"]["id"] == me.row["id"]

    # A recovery code stands in for a code, once.
    status, body = login(api_url, me.email, recovery_code=codes[3])
    assert status == 200 and body["login"] is True
    assert login(api_url, me.email, recovery_code=codes[3]) == (400, WRONG_OTP)
    assert login(api_url, me.email, recovery_code="NOTACODE00") == (400, WRONG_OTP)
    assert login(api_url, me.email, recovery_code=codes[4])[0] == 200


def test_disable_own(api_url, admin):
    me = Person(api_url, admin)
    assert me.call("DELETE", "auth/totp", json={"totp": "123456"}) == (400, NOT_ENABLED)
    me.enable()
    assert me.call("DELETE", "auth/totp", json={}) == (400, WRONG_ON_DELETE)
    assert me.call("DELETE", "auth/totp", json={"totp": "abcdef"}) == (400, WRONG_ON_DELETE)
    assert me.call("DELETE", "auth/totp", json={"totp": totp_now(me.secret)}) == (
        200, {"success": True})
    person = me.read(admin)
    assert person["totp_enabled"] is False
    assert person["preferred_two_factor_authentication"] is None
    assert login(api_url, me.email)[0] == 200
    assert me.call("DELETE", "auth/totp", json={"totp": totp_now(me.secret)}) == (400, NOT_ENABLED)

    # On again: the old recovery codes went with the last method, so new
    # ones are issued; a recovery code also turns TOTP off.
    codes = me.enable()["otp_recovery_codes"]
    assert len(codes) == 16
    assert me.call("DELETE", "auth/totp", json={"recovery_code": codes[0]}) == (
        200, {"success": True})
    assert login(api_url, me.email)[0] == 200


def test_admin_disables_another_persons_totp(api_url, admin):
    me = Person(api_url, admin)
    artist = Person(api_url, admin)
    me.enable()
    path = f"actions/persons/{me.row['id']}/disable-two-factor-authentication"
    assert artist.call("DELETE", path) == (403, {"error": True, "message": FORBIDDEN})
    assert login(api_url, me.email)[0] == 400

    admin.activate()
    gazu.person.disable_two_factor_authentication(me.row)
    person = me.read(admin)
    assert person["totp_enabled"] is False
    assert person["preferred_two_factor_authentication"] is None
    assert login(api_url, me.email)[0] == 200

    # The secret and the recovery codes went too: enabling again starts
    # from a new secret and issues new codes.
    status, body = me.call("PUT", "auth/totp", json={})
    assert status == 200 and body["otp_secret"] != me.secret
    me.secret = body["otp_secret"]
    status, body = me.call("POST", "auth/totp", json={"totp": totp_now(me.secret)})
    assert status == 200 and len(body["otp_recovery_codes"]) == 16
