//! Entity extraction on the ways customers write.

use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn of(text: &str, today: &str) -> Vec<(EntityKind, String, bool)> {
    extract(text, day(today), None).into_iter().map(|e| (e.kind, e.value, e.deadline)).collect()
}

#[test]
fn order_numbers_in_their_usual_shapes() {
    use EntityKind::OrderId;
    assert_eq!(of("where is #LP100029?", "2023-01-08"), [(OrderId, "LP100029".into(), false)]);
    assert_eq!(
        of("cancel purchase 113542617735902 please", "2023-01-08"),
        [(OrderId, "113542617735902".into(), false)]
    );
    assert_eq!(of("Order number: 4417 hasn't come", "2023-01-08"), [(OrderId, "4417".into(), false)]);
    assert_eq!(of("my order LP-100231 is late", "2023-01-08"), [(OrderId, "LP100231".into(), false)]);
    assert_eq!(of("I wear a size 7", "2023-01-08")[0].0, EntityKind::RingSize);
}

#[test]
fn deadlines_are_dates_the_customer_needs_something_by() {
    use EntityKind::{Date, OrderId};
    assert_eq!(
        of("Our anniversary is on January 17, I need #LP100029 delivered before then.", "2023-01-08"),
        [(Date, "2023-01-17".into(), true), (OrderId, "LP100029".into(), false)]
    );
    // An order placed on a date is history, not a deadline.
    assert_eq!(
        of("I placed order #LP100018 on January 5 and the tracking hasn't updated.", "2023-01-09"),
        [(OrderId, "LP100018".into(), false), (Date, "2023-01-05".into(), false)]
    );
    assert_eq!(of("can it arrive by the 14th?", "2023-02-03"), [(Date, "2023-02-14".into(), true)]);
    assert_eq!(of("I need it before Friday", "2023-02-01"), [(Date, "2023-02-03".into(), true)]);
    assert_eq!(of("a gift for Valentine's Day", "2023-02-01"), [(Date, "2023-02-14".into(), true)]);
    assert_eq!(of("a gift for mother's day", "2023-04-20"), [(Date, "2023-05-14".into(), true)]);
    // Early January is next year's, seen from December.
    assert_eq!(of("will it come by Jan 3rd", "2023-12-20"), [(Date, "2024-01-03".into(), true)]);
    assert_eq!(of("wedding is 2024-06-01", "2024-05-01"), [(Date, "2024-06-01".into(), true)]);
    assert_eq!(of("ordered 3/14 and nothing yet", "2024-03-20"), [(Date, "2024-03-14".into(), false)]);
}

#[test]
fn ring_sizes_in_three_systems() {
    let sizes = |t: &str| -> Vec<String> {
        extract(t, day("2023-01-01"), None)
            .into_iter()
            .filter(|e| e.kind == EntityKind::RingSize)
            .map(|e| e.value)
            .collect()
    };
    assert_eq!(sizes("I'm a size 6.5 usually"), ["US 6.5"]);
    assert_eq!(sizes("can I exchange for size 7 1/2"), ["US 7.5"]);
    assert_eq!(sizes("UK size N please"), ["UK N"]);
    assert_eq!(sizes("my size is uk M½"), ["UK M½"]);
    assert_eq!(sizes("EU 54 is my size"), ["EU 54"]);
    assert_eq!(sizes("size 52 in european sizing"), ["EU 52"]);
    assert!(sizes("what size I should get").is_empty());
    assert!(sizes("the pendant is 18 inches").is_empty());
}

#[test]
fn amounts_with_their_currency() {
    let amounts = |t: &str| -> Vec<String> {
        extract(t, day("2023-01-01"), None)
            .into_iter()
            .filter(|e| e.kind == EntityKind::Amount)
            .map(|e| e.value)
            .collect()
    };
    assert_eq!(amounts("I paid $1,200 for this"), ["1200.00 USD"]);
    assert_eq!(amounts("a budget of 500 dollars"), ["500.00 USD"]);
    assert_eq!(amounts("it cost €89.5"), ["89.50 EUR"]);
    assert_eq!(amounts("around $2k"), ["2000.00 USD"]);
}

#[test]
fn products_by_their_title_or_its_head() {
    let names = ProductNames::new([
        ("p1", "Ada Chain Bracelet in 14K Yellow Gold"),
        ("p2", "Nola Rope Chain"),
        ("p3", "Ada Chain"),
    ]);
    let found = |t: &str| -> Vec<String> {
        extract(t, day("2023-01-01"), Some(&names)).into_iter().map(|e| e.key.unwrap_or_default()).collect()
    };
    assert_eq!(found("My Nola Rope Chain was supposed to arrive days ago"), ["p2"]);
    // The longest name wins where two start at one word.
    assert_eq!(found("the ada chain bracelet is lovely"), ["p1"]);
    assert_eq!(found("the Ada Chain broke"), ["p3"]);
    assert!(found("a chain bracelet").is_empty());
}

proptest::proptest! {
    #[test]
    fn never_panics_on_any_text(text in "\\PC{0,200}") {
        let names = ProductNames::new([("p", "Ada Chain")]);
        let _ = extract(&text, day("2024-02-29"), Some(&names));
    }

    #[test]
    fn never_panics_on_digits_and_dates(text in "[0-9/ #$.,a-zA-Z-]{0,60}") {
        let _ = extract(&text, day("2023-12-31"), None);
    }
}
