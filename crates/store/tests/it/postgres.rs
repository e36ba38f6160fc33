//! The PostgreSQL backend's own mechanics: the schema a node accepts,
//! several nodes on one database, events partitioned by month.

use std::sync::Arc;

use store::pg::{Postgres, SCHEMA_VERSION};
use store::{testing, Store};

use crate::events::event;
use crate::{ok, product};

#[test]
fn a_node_refuses_a_database_without_the_schema_and_migrate_makes_it() {
    let url = testing::database().unwrap();
    // A database of its own, without Loupe's schema.
    let bare = url.rsplit_once('/').map(|(base, _)| format!("{base}/postgres")).unwrap();
    let err = Postgres::connect(&bare).unwrap_err().to_string();
    assert!(err.contains("no Loupe schema") && err.contains("loupe migrate"), "{err}");

    // Migrating again does nothing and says from which version.
    let again = Postgres::migrate(&url).unwrap();
    assert_eq!((again.from, again.to), (Some(SCHEMA_VERSION), SCHEMA_VERSION));
    assert!(Postgres::connect(&url).is_ok());

    let err = Postgres::connect("postgres://loupe@127.0.0.1:1/nothing").unwrap_err();
    assert!(err.to_string().contains("could not connect to postgres://loupe@127.0.0.1:1/nothing"), "{err}");
}

#[test]
fn two_nodes_on_one_database_see_each_others_writes() {
    let url = testing::database().unwrap();
    let a = Store::connect(&url).unwrap();
    let b = Store::connect(&url).unwrap();
    a.import_products(ok(vec![product("ring-a", "Ring A", &["A1", "A2"])]), 1_750_000_000).unwrap();
    assert_eq!(b.product_by_sku("A2").unwrap().unwrap().handle, "ring-a");
    assert_eq!(b.catalog_version().unwrap(), a.catalog_version().unwrap());
    // An import through B matches A's product by handle: one product, one id.
    let out = b.import_products(ok(vec![product("ring-a", "Ring A.", &["A1"])]), 1_750_000_100).unwrap();
    assert_eq!((out.products_created, out.products_updated), (0, 1));
    assert_eq!(a.product_by_handle("ring-a").unwrap().unwrap().title, "Ring A.");
    b.put_doc("rules", "r1", "{}").unwrap();
    assert_eq!(a.get_doc("rules", "r1").unwrap().as_deref(), Some("{}"));
}

#[test]
fn concurrent_appends_from_two_nodes_store_each_event_once() {
    let url = testing::database().unwrap();
    let nodes: Vec<Arc<Store>> = (0..2).map(|_| Arc::new(Store::connect(&url).unwrap())).collect();
    // Both nodes send the same 400 ids (a retried batch through the other
    // node), 50 at a time, at once.
    let handles: Vec<_> = nodes
        .iter()
        .map(|store| {
            let store = Arc::clone(store);
            std::thread::spawn(move || {
                let mut inserted = 0;
                for batch in 0..8 {
                    let events: Vec<_> = (0..50)
                        .map(|i| event(&format!("e{batch}-{i}"), 1_700_000_000_000 + i, None))
                        .collect();
                    inserted += store.append_events(&events).unwrap().inserted;
                }
                inserted
            })
        })
        .collect();
    let inserted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(inserted, 400, "each id stored by exactly one of the two");
    assert_eq!(nodes[0].event_count().unwrap(), 400);
    assert_eq!(nodes[1].events().unwrap().len(), 400);
}

#[test]
fn events_go_to_partitions_by_month() {
    let url = testing::database().unwrap();
    let store = Store::connect(&url).unwrap();
    let day = 86_400_000;
    // 2025-01-31, 2025-02-01 and 2026-07-04 (Unix ms), and one in the year 1.
    let ats = [1_738_281_600_000, 1_738_368_000_000, 1_783_123_200_000, -62_135_596_800_000];
    let events: Vec<_> =
        ats.iter().enumerate().map(|(i, &at)| event(&format!("e{i}"), at + day / 2, None)).collect();
    assert_eq!(store.append_events(&events).unwrap().inserted, 4);

    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let where_: Vec<(String, String)> = client
        .query("SELECT tableoid::regclass::text, id FROM events ORDER BY at", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        where_,
        [
            ("events_outside".to_string(), "e3".to_string()),
            ("events_y2025m01".into(), "e0".into()),
            ("events_y2025m02".into(), "e1".into()),
            ("events_y2026m07".into(), "e2".into()),
        ]
    );
    // Read back in time order across partitions, and counted.
    let ids: Vec<String> = store.events().unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["e3", "e0", "e1", "e2"]);
    assert_eq!(store.event_count().unwrap(), 4);
    assert_eq!(store.last_event_at().unwrap(), Some(ats[2] + day / 2));
}

#[test]
fn a_node_hears_of_another_nodes_writes_through_the_change_feed() {
    let url = testing::database().unwrap();
    let a = Store::connect(&url).unwrap();
    let b = Store::connect(&url).unwrap();
    // Time for B's listener to connect, so that what B reads next is kept.
    std::thread::sleep(std::time::Duration::from_millis(300));
    // B reads (and keeps) the values every request reads.
    assert_eq!(
        (b.catalog_version().unwrap(), b.has_keys().unwrap(), b.counter("rules").unwrap()),
        (0, false, 0)
    );
    a.import_products(ok(vec![product("ring-a", "Ring A", &["A1"])]), 1_750_000_000).unwrap();
    a.create_key(store::NewKey::role(store::Role::Admin, "ops"), 1_750_000_000).unwrap();
    a.put_doc_counted("rules", "r1", Some("{}"), "rules").unwrap();
    let started = std::time::Instant::now();
    while (b.catalog_version().unwrap(), b.has_keys().unwrap(), b.counter("rules").unwrap()) != (1, true, 1) {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "B did not hear of A's writes");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    eprintln!("change feed: node B saw node A's writes after {:?}", started.elapsed());
    // A node reads its own writes at once.
    b.put_doc_counted("rules", "r2", Some("{}"), "rules").unwrap();
    assert_eq!(b.counter("rules").unwrap(), 2);
    assert_eq!(b.product_count().unwrap(), 1);
}

#[test]
fn migrate_upgrades_a_database_of_an_older_version_and_keeps_its_data() {
    let url = testing::empty_database().unwrap();
    // The database as the first version of the schema left it, with data.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE loupe_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        .unwrap();
    client.batch_execute(store::pg::MIGRATIONS[0].1).unwrap();
    client
        .batch_execute(
            "INSERT INTO loupe_schema (version) VALUES (1); \
             INSERT INTO secrets VALUES ('erasure', '\\x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'); \
             CREATE TABLE events_y2025m01 PARTITION OF events FOR VALUES FROM (1735689600000) TO (1738368000000); \
             INSERT INTO events VALUES (1735700000000, 'old', '{\"id\":\"old\",\"kind\":\"view\",\"at\":1735700000000}'); \
             INSERT INTO event_ids VALUES ('old', 1735700000000); \
             INSERT INTO meta VALUES ('event_count', 1)",
        )
        .unwrap();
    let err = Postgres::connect(&url).unwrap_err().to_string();
    assert!(err.contains("version 1") && err.contains("loupe migrate"), "{err}");

    let done = Postgres::migrate(&url).unwrap();
    assert_eq!((done.from, done.to), (Some(1), SCHEMA_VERSION));
    let store = Store::connect(&url).unwrap();
    store.append_events(&[event("new", 1_735_800_000_000, None)]).unwrap();
    let ids: Vec<String> = store.events().unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["old", "new"]);
    let kind: String = client
        .query_one("SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'body'", &[])
        .unwrap()
        .get(0);
    assert_eq!(kind, "json");
}
