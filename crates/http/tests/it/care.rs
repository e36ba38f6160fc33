//! A piece's care plan over HTTP (issue 17): the plan of the variant's own
//! metal and stones, dates from an estimated delivery, and the errors.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Finish, Metal, Product, Stone, Variant};
use serde_json::Value;
use tower::ServiceExt;

async fn get(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let response =
        router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn a_pearl_strand_gets_a_safe_plan_with_dates() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let strand = Product {
        handle: "akoya-strand".into(),
        title: "Akoya Strand".into(),
        category: Some(Category::Necklace),
        variants: vec![
            Variant {
                sku: "AK-18".into(),
                metals: vec![Metal { kind: "gold".into(), finish: Some(Finish::Solid), ..Metal::default() }],
                stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
                ..Variant::default()
            },
            Variant {
                sku: "AK-VER".into(),
                metals: vec![Metal {
                    kind: "gold".into(),
                    finish: Some(Finish::Vermeil),
                    ..Metal::default()
                }],
                stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
                ..Variant::default()
            },
        ],
        ..Product::default()
    };
    store.import_products([Ok::<_, std::io::Error>(strand)], 1_750_000_000).unwrap();
    let state = AppState::new(crate::app_on(store), dir.path());

    let (s, v) = get(&state, "/v1/care/plan?sku=AK-18&purchased_on=2024-03-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let cautions: Vec<&str> = v["cautions"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for c in ["no_ultrasonic", "no_steam", "no_perfume_contact"] {
        assert!(cautions.contains(&c), "{c} missing: {cautions:?}");
    }
    assert!(!cautions.contains(&"no_abrasive_polish"), "solid gold: {cautions:?}");
    // Friday 2024-03-01 + 5 business days.
    assert_eq!(v["delivered_on"], "2024-03-08");
    let messages = v["messages"].as_array().unwrap();
    let restring = messages.iter().find(|m| m["topic"] == "pearl_restring").expect("a restringing reminder");
    assert_eq!((restring["day"].as_u64(), restring["on"].as_str()), (Some(730), Some("2026-03-08")));
    assert!(
        messages.iter().all(|m| !m["body"].as_str().unwrap().contains("soak your")),
        "no soaking advice for pearls"
    );
    for m in messages {
        for key in ["day", "topic", "title", "body", "channel", "why"] {
            assert!(m.get(key).is_some(), "{key}: {m}");
        }
    }

    let (_, v) = get(&state, "/v1/care/plan?sku=AK-VER").await;
    assert!(v["cautions"].as_array().unwrap().iter().any(|c| c == "no_abrasive_polish"), "{v}");
    assert!(v.get("delivered_on").is_none());

    let (s, _) = get(&state, "/v1/care/plan?sku=NOPE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = get(&state, "/v1/care/plan?sku=AK-18&purchased_on=last+week").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    let (s, _) = get(&state, "/v1/care/plan").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
