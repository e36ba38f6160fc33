//! Security headers (issue 18): every answer says `nosniff` and a
//! same-origin referrer policy; pages carry a Content-Security-Policy that
//! allows scripts from this origin only, and refuse to be framed.

use axum::body::Body;
use axum::http::Request;
use loupe_http::{router, AppState};
use tower::ServiceExt;

async fn headers(state: &AppState, uri: &str) -> axum::http::HeaderMap {
    let response =
        router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    response.headers().clone()
}

#[tokio::test]
async fn pages_carry_a_strict_script_policy_and_every_answer_says_nosniff() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(crate::app_on(store::Store::open_temporary().unwrap()), dir.path());
    for uri in ["/", "/help", "/admin/care", "/unsubscribe/u.x.email.y"] {
        let h = headers(&state, uri).await;
        let csp =
            h.get("content-security-policy").unwrap_or_else(|| panic!("{uri} has no CSP")).to_str().unwrap();
        let script = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
        assert_eq!(script, "script-src 'self'", "{uri}: {csp}");
        let style = csp.split(';').map(str::trim).find(|d| d.starts_with("style-src")).unwrap();
        assert_eq!(style, "style-src 'self'", "no inline styles: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    }
    let h = headers(&state, "/v1/outbox").await;
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "same-origin");
    assert!(h.get("content-security-policy").is_none(), "JSON needs no page policy");
}
