//! Keys, documents, tasks and the audit log.

use store::{AuditEntry, Role, Store};

#[test]
fn keys_verify_by_role_and_are_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let admin = store.create_key(Role::Admin, "ops", 1_750_000_000).unwrap();
    let public = store.create_key(Role::Public, "storefront", 1_750_000_000).unwrap();
    assert!(admin.starts_with("lp_admin_") && admin.len() == "lp_admin_".len() + 64);
    assert!(public.starts_with("lp_pub_"));
    assert_eq!(store.verify_key(&admin).unwrap(), Some(Role::Admin));
    assert_eq!(store.verify_key(&public).unwrap(), Some(Role::Public));
    assert_eq!(store.verify_key("lp_admin_nope").unwrap(), None);
    assert_eq!(store.verify_key("").unwrap(), None);
    let keys = store.list_keys().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].label, "ops");
    drop(store);
    let file = std::fs::read(dir.path().join(store::FILE_NAME)).unwrap();
    let secret = &admin.as_bytes()["lp_admin_".len()..];
    assert!(!file.windows(secret.len()).any(|w| w == secret), "the plain key is in the store file");

    let store = Store::open(dir.path()).unwrap();
    assert!(store.revoke_key(keys[0].id).unwrap());
    assert_eq!(store.verify_key(&admin).unwrap(), None);
}

#[test]
fn documents_by_collection() {
    let store = Store::open_temporary().unwrap();
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

#[test]
fn tasks_and_audit() {
    let store = Store::open_temporary().unwrap();
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
