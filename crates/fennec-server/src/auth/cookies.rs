//! The JWT cookies Kitsu's web front end lives on, set exactly as Zou
//! 1.0.97 sets them (flask-jwt-extended with Zou's settings:
//! `JWT_TOKEN_LOCATION = ["cookies", "headers"]`, no CSRF cookie, not a
//! session cookie, `SameSite=Lax`, the refresh cookie's path
//! `/auth/refresh-token`).
//!
//! Policy: Zou sets or clears them only for callers whose User-Agent its
//! parser (ua_parser) names one of ten browser families; scripts (gazu,
//! curl) get the tokens in the body and no cookie. Recorded on Zou 1.0.97:
//!
//! ```text
//! Set-Cookie: access_token_cookie=<jwt>; Expires=<now + 1 year>; Max-Age=31540000; HttpOnly; Path=/; SameSite=Lax
//! Set-Cookie: refresh_token_cookie=<jwt>; Expires=…; Max-Age=31540000; HttpOnly; Path=/auth/refresh-token; SameSite=Lax
//! Set-Cookie: refresh_token_cookie=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path=/auth/refresh-token; SameSite=Lax
//! ```

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

pub const ACCESS_COOKIE: &str = "access_token_cookie";
pub const REFRESH_COOKIE: &str = "refresh_token_cookie";
const ACCESS_PATH: &str = "/";
const REFRESH_PATH: &str = "/auth/refresh-token";
/// flask-jwt-extended's lifetime of a non-session cookie: one year,
/// whatever the token's own expiry.
const MAX_AGE: i64 = 31_540_000;

/// Whether Zou's `is_from_browser` holds for this User-Agent: its parser's
/// family is one of Brave, Chrome, Chrome Mobile, Chrome Mobile iOS, Edge,
/// Firefox, Mobile Safari, Opera, Safari or Vivaldi. The rules below give
/// ua_parser's answer for the browsers studios use, checked in the order
/// its regexes are; the families Zou leaves out (headless Chrome, Chromium,
/// Android web views, Samsung Internet, Edge and Firefox on phones, Opera
/// Touch, Internet Explorer, in-app views) get no cookie, as on Zou.
pub fn is_from_browser(user_agent: &str) -> bool {
    let has = |s: &str| user_agent.contains(s);
    if has("HeadlessChrome") || has("SamsungBrowser/") || has("OPT/") {
        return false;
    }
    if has("Chrome/") && has("; wv)") {
        return false; // Chrome Mobile WebView
    }
    if has("EdgA/") || has("EdgiOS/") || has("FxiOS/") {
        return false; // Edge Mobile, Firefox iOS
    }
    if has("Edg/") || has("Edge/") || has("OPR/") || has("Vivaldi/") || has("Brave") {
        return true;
    }
    if user_agent.starts_with("Opera/") {
        return true;
    }
    if has("Chromium/") {
        return false;
    }
    if has("CriOS/") || has("Chrome/") {
        return true;
    }
    if has("Firefox/") {
        // Firefox on Android is ua_parser's "Firefox Mobile".
        return !(has("Android") && (has("Mobile") || has("Tablet")));
    }
    // Safari (desktop) and Mobile Safari name their version; a bare WebKit
    // view (in-app, Apple Mail) does not.
    has("Safari/") && has("Version/")
}

/// Whether the request comes from a browser, by Zou's rule.
pub fn from_browser(headers: &HeaderMap) -> bool {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_from_browser)
}

fn cookie(name: &str, value: &str, path: &str) -> HeaderValue {
    let expires = fennec_api::time::now() + chrono::Duration::seconds(MAX_AGE);
    let line = format!(
        "{name}={value}; Expires={}; Max-Age={MAX_AGE}; HttpOnly; Path={path}; SameSite=Lax",
        expires.format("%a, %d %b %Y %H:%M:%S GMT")
    );
    HeaderValue::from_str(&line).expect("a JWT is a valid header value")
}

fn cleared(name: &str, path: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Path={path}; SameSite=Lax"
    ))
    .expect("valid header value")
}

pub fn set_access(headers: &mut HeaderMap, token: &str) {
    headers.append(
        header::SET_COOKIE,
        cookie(ACCESS_COOKIE, token, ACCESS_PATH),
    );
}

pub fn set_refresh(headers: &mut HeaderMap, token: &str) {
    headers.append(
        header::SET_COOKIE,
        cookie(REFRESH_COOKIE, token, REFRESH_PATH),
    );
}

pub fn unset_access(headers: &mut HeaderMap) {
    headers.append(header::SET_COOKIE, cleared(ACCESS_COOKIE, ACCESS_PATH));
}

pub fn unset_refresh(headers: &mut HeaderMap) {
    headers.append(header::SET_COOKIE, cleared(REFRESH_COOKIE, REFRESH_PATH));
}

/// The answer of a call that opens a session (login, TOTP enabling): the
/// body carries the tokens, and a browser also gets both as Zou's cookies,
/// since Kitsu's web client reads only those.
pub fn session_response(request: &HeaderMap, body: Value, access: &str, refresh: &str) -> Response {
    let mut response = Json(body).into_response();
    if from_browser(request) {
        set_access(response.headers_mut(), access);
        set_refresh(response.headers_mut(), refresh);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_from_browser;

    /// User-Agents and whether ua_parser 1.0.2 (Zou 1.0.97's) names a
    /// family Zou counts as a browser (its family in the comment).
    const RECORDED: &[(&str, bool)] = &[
        // Chrome
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", true),
        // HeadlessChrome
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36", false),
        // Chromium
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0 Chrome/120.0 Safari/537.36", false),
        // Edge
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", true),
        // Firefox
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", true),
        // Firefox Mobile
        ("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0", false),
        // Safari
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15", true),
        // Mobile Safari
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", true),
        // Chrome Mobile iOS
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1", true),
        // Chrome Mobile
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", true),
        // Opera
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0", true),
        // Vivaldi
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Vivaldi/6.0", true),
        // Brave
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Brave/131", true),
        // Chrome (Kitsu's Electron desktop app)
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) kitsu/1.0.0 Chrome/120.0.0.0 Electron/28.0 Safari/537.36", true),
        // Edge Mobile
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0", false),
        // Firefox iOS
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/131.0 Mobile/15E148 Safari/605.1.15", false),
        // Samsung Internet
        ("Mozilla/5.0 (Linux; Android 10; SAMSUNG SM-G973F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", false),
        // Chrome Mobile WebView
        ("Mozilla/5.0 (Linux; Android 10; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.0.0 Mobile Safari/537.36", false),
        // IE
        ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", false),
        // Opera (Presto)
        ("Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.289 Version/12.00", true),
        // Mobile Safari UI/WKWebView
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", false),
        // Apple Mail
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)", false),
        // Opera Touch
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1 OPT/4.0", false),
        // curl, Python Requests, gazu (Other)
        ("curl/8.0", false),
        ("python-requests/2.31", false),
        ("gazu/1.3.1", false),
    ];

    #[test]
    fn browser_families_as_zou_parses_them() {
        for (ua, expected) in RECORDED {
            assert_eq!(is_from_browser(ua), *expected, "{ua}");
        }
    }
}
