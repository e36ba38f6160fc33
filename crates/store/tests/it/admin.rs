//! Keys, documents, tasks and the audit log.

use store::{AuditEntry, NewKey, Role, Scope, Store};

#[test]
fn keys_verify_by_scope_and_are_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(!store.has_keys().unwrap());
    let (admin, _) = store.create_key(NewKey::role(Role::Admin, "ops"), 1_750_000_000).unwrap();
    let (public, _) = store.create_key(NewKey::role(Role::Public, "storefront"), 1_750_000_000).unwrap();
    assert!(store.has_keys().unwrap());
    assert!(admin.starts_with("lp_admin_") && admin.len() == "lp_admin_".len() + 64);
    assert!(public.starts_with("lp_pub_"));
    let admin_info = store.verify_key(&admin).unwrap().unwrap();
    assert_eq!(admin_info.scopes, [Scope::Admin]);
    assert!(admin_info.allows(Scope::AdminTrust) && admin_info.allows(Scope::Search));
    let public_info = store.verify_key(&public).unwrap().unwrap();
    assert!(public_info.allows(Scope::Search) && public_info.allows(Scope::CatalogRead));
    assert!(!public_info.allows(Scope::EventsWrite) && !public_info.allows(Scope::AdminCatalog));
    assert_eq!(store.verify_key("lp_admin_nope").unwrap(), None);
    assert_eq!(store.verify_key("").unwrap(), None);
    let keys = store.list_keys().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].name, "ops");
    drop(store);
    let file = std::fs::read(dir.path().join(store::FILE_NAME)).unwrap();
    let secret = &admin.as_bytes()["lp_admin_".len()..];
    assert!(!file.windows(secret.len()).any(|w| w == secret), "the plain key is in the store file");

    let store = Store::open(dir.path()).unwrap();
    assert!(store.revoke_key(keys[0].id).unwrap());
    assert_eq!(store.verify_key(&admin).unwrap(), None);
}

conformance! {
    fn an_area_scope_opens_its_area_only(store) {
        let new = NewKey {
            name: "support lead".into(),
            scopes: vec![Scope::AdminSupport, Scope::AdminSupport],
            expires_at: Some(1_760_000_000),
            rate_per_minute: Some(30),
        };
        let (key, info) = store.create_key(new, 1_750_000_000).unwrap();
        assert!(key.starts_with("lp_admin_"), "an admin-area key is marked as one: {key}");
        assert_eq!(info.scopes, [Scope::AdminSupport], "scopes are kept once each");
        assert!(
            info.allows(Scope::AdminSupport) && !info.allows(Scope::AdminTrust) && !info.allows(Scope::Search)
        );
        assert!(!info.expired(1_759_999_999) && info.expired(1_760_000_000));
        assert_eq!(info.rate_per_minute, Some(30));
        let err = store.create_key(NewKey { scopes: vec![], ..NewKey::role(Role::Admin, "x") }, 0).unwrap_err();
        assert!(err.to_string().contains("at least one scope"), "{err}");
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()), "the wire name is the CLI's");
        }
    }
}

conformance! {
    fn rotation_leaves_both_keys_valid_for_the_overlap(store) {
        let now = 1_750_000_000;
        let (old, old_info) = store.create_key(NewKey::role(Role::Public, "storefront"), now).unwrap();
        let (new, new_info) = store.rotate_key(old_info.id, now + 10, 3600).unwrap().unwrap();
        assert_ne!(old, new);
        assert_eq!(new_info.name, "storefront");
        assert_eq!(new_info.scopes, old_info.scopes);
        assert_eq!(new_info.rotated_from, Some(old_info.id));
        assert_eq!(new_info.expires_at, None);
        let old_now = store.verify_key(&old).unwrap().unwrap();
        assert_eq!(old_now.expires_at, Some(now + 10 + 3600));
        assert!(!old_now.expired(now + 3000), "the old key works during the overlap");
        assert!(old_now.expired(now + 3610), "and not after it");
        assert!(!store.verify_key(&new).unwrap().unwrap().expired(now + 1_000_000));
        assert_eq!(store.rotate_key(999, now, 60).unwrap(), None);

        store.touch_key(new_info.id, now + 60).unwrap();
        store.touch_key(new_info.id, now + 30).unwrap();
        let listed = store.list_keys().unwrap();
        assert_eq!(listed.iter().find(|k| k.id == new_info.id).unwrap().last_used_at, Some(now + 60));
        assert_eq!(listed.iter().find(|k| k.id == old_info.id).unwrap().last_used_at, None);
        store.touch_key(424242, now).unwrap();
    }
}

conformance! {
    fn documents_by_collection(store) {
        store.put_doc("rules", "b", r#"{"x":2}"#).unwrap();
        store.put_doc("rules", "a", r#"{"x":1}"#).unwrap();
        store.put_doc("rulesets", "z", "{}").unwrap();
        store.put_doc("other", "a", "{}").unwrap();
        let keys: Vec<_> = store.list_docs("rules").unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(store.get_doc("rules", "a").unwrap().as_deref(), Some(r#"{"x":1}"#));
        assert!(store.delete_doc("rules", "a").unwrap());
        assert!(!store.delete_doc("rules", "a").unwrap());
        assert_eq!(store.get_doc("rules", "a").unwrap(), None);
    }
}

conformance! {
    fn tasks_and_audit(store) {
        store.put_task("t1", r#"{"status":"running"}"#).unwrap();
        store.put_task("t1", r#"{"status":"done"}"#).unwrap();
        assert_eq!(store.get_task("t1").unwrap().as_deref(), Some(r#"{"status":"done"}"#));
        assert_eq!(store.list_tasks().unwrap().len(), 1);
        let entry = |action: &str| AuditEntry {
            at: 1,
            actor: "admin".into(),
            action: action.into(),
            subject: "sku-1".into(),
            decision_json: "{}".into(),
            why_json: "[]".into(),
        };
        assert_eq!(store.append_audit(entry("reorder")).unwrap(), 1);
        assert_eq!(store.append_audit(entry("markdown")).unwrap(), 2);
        let log = store.audit_log().unwrap();
        assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["reorder", "markdown"]);
    }
}

conformance! {
    fn a_lease_is_held_until_dropped(store) {
        let held = store.try_lease("outbox").unwrap().expect("a free lease is taken");
        assert!(store.try_lease("outbox").unwrap().is_none(), "a held lease is not taken twice");
        assert!(store.try_lease("task:t1").unwrap().is_some(), "other names are free");
        // A waiter gets it once the holder lets go.
        let waiter = {
            let store = store.clone();
            std::thread::spawn(move || store.lease("outbox").map(|_| ()).is_ok())
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!waiter.is_finished(), "the waiter waits while the lease is held");
        drop(held);
        assert!(waiter.join().unwrap());
        assert!(store.try_lease("outbox").unwrap().is_some());
    }
}
