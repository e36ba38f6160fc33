//! Small records beside the data: JSON documents for engines' state,
//! secrets, background-task records and the append-only audit log. (API keys
//! are in `keys`.)

use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use crate::tables::{decode, encode, AUDIT, DOCS, META, SECRETS, TASKS};
use crate::{Error, Redb, Result};

/// One entry of the audit log: who decided what about which subject, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// JSON text of the decision, as the caller shaped it.
    pub decision_json: String,
    /// JSON text of the `why` list.
    pub why_json: String,
}

/// Documents, counters, secrets, tasks and the audit log: a
/// [`Backend`](crate::Backend)'s part.
pub trait DocStore {
    fn put_doc(&self, collection: &str, key: &str, json: &str) -> Result<()>;

    fn get_doc(&self, collection: &str, key: &str) -> Result<Option<String>>;

    /// (key, json) of every document in `collection`, sorted by key.
    fn list_docs(&self, collection: &str) -> Result<Vec<(String, String)>>;

    /// Writes documents keyed by customer id in one transaction, skipping
    /// customers who were forgotten (their data must not come back);
    /// returns the keys skipped.
    fn put_customer_docs(&self, collection: &str, docs: &[(String, String)]) -> Result<Vec<String>>;

    /// Returns whether the document existed.
    fn delete_doc(&self, collection: &str, key: &str) -> Result<bool>;

    /// Sets (`Some`) or deletes (`None`) one document and bumps the counter
    /// `counter` in the same transaction; returns the counter's new value.
    /// Engines built from a collection key on its counter.
    fn put_doc_counted(&self, collection: &str, key: &str, json: Option<&str>, counter: &str) -> Result<u64>;

    /// [`DocStore::put_doc_counted`] with an entry of the decision log written in
    /// the same transaction: a person's change and its record land together
    /// or not at all.
    fn put_doc_decided(
        &self,
        collection: &str,
        key: &str,
        json: Option<&str>,
        counter: &str,
        decision: &crate::NewDecision,
    ) -> Result<crate::Decision>;

    /// A counter bumped by [`DocStore::put_doc_counted`] (0 before the first).
    fn counter(&self, name: &str) -> Result<u64>;

    /// A random 32-byte secret of this store by name, made on first use
    /// (what signs unsubscribe links). `erasure` is the erasure list's own.
    fn secret(&self, name: &str) -> Result<Vec<u8>>;

    fn put_task(&self, id: &str, json: &str) -> Result<()>;

    fn get_task(&self, id: &str) -> Result<Option<String>>;

    /// (id, json) of every task, sorted by id.
    fn list_tasks(&self) -> Result<Vec<(String, String)>>;

    /// Appends to the audit log (never rewritten); returns the entry's number.
    /// Records a person's decision (a buyer's, an agent's) in the audit
    /// table and, in the same transaction, in the hash-chained decision log.
    fn append_audit(&self, entry: AuditEntry) -> Result<u64>;

    /// The audit log, oldest first.
    fn audit_log(&self) -> Result<Vec<AuditEntry>>;
}

impl DocStore for Redb {
    // ---- documents -------------------------------------------------------

    fn put_doc(&self, collection: &str, key: &str, json: &str) -> Result<()> {
        check_doc(collection, key)?;
        let txn = self.begin_write()?;
        txn.open_table(DOCS)?.insert((collection, key), json)?;
        txn.commit()?;
        Ok(())
    }

    fn get_doc(&self, collection: &str, key: &str) -> Result<Option<String>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(DOCS)?;
        let found = table.get((collection, key))?;
        Ok(found.map(|g| g.value().to_string()))
    }

    fn list_docs(&self, collection: &str) -> Result<Vec<(String, String)>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(DOCS)?;
        let mut out = Vec::new();
        for entry in table.range((collection, "")..)? {
            let (k, v) = entry?;
            let (c, key) = k.value();
            if c != collection {
                break;
            }
            out.push((key.to_string(), v.value().to_string()));
        }
        Ok(out)
    }

    fn put_customer_docs(&self, collection: &str, docs: &[(String, String)]) -> Result<Vec<String>> {
        let txn = self.begin_write()?;
        let erased = crate::erasure::Erased::read(&txn)?;
        let skipped = {
            let mut table = txn.open_table(DOCS)?;
            put_customer_docs_with(&erased, docs, &mut |key, json| {
                table.insert((collection, key), json)?;
                Ok(())
            })?
        };
        txn.commit()?;
        Ok(skipped)
    }

    fn delete_doc(&self, collection: &str, key: &str) -> Result<bool> {
        let txn = self.begin_write()?;
        let existed = txn.open_table(DOCS)?.remove((collection, key))?.is_some();
        txn.commit()?;
        Ok(existed)
    }

    fn put_doc_counted(&self, collection: &str, key: &str, json: Option<&str>, counter: &str) -> Result<u64> {
        check_doc(collection, key)?;
        let txn = self.begin_write()?;
        let next = {
            let mut docs = txn.open_table(DOCS)?;
            match json {
                Some(j) => {
                    docs.insert((collection, key), j)?;
                }
                None => {
                    docs.remove((collection, key))?;
                }
            }
            bump(&txn, counter)?
        };
        txn.commit()?;
        Ok(next)
    }

    fn put_doc_decided(
        &self,
        collection: &str,
        key: &str,
        json: Option<&str>,
        counter: &str,
        decision: &crate::NewDecision,
    ) -> Result<crate::Decision> {
        check_doc(collection, key)?;
        let txn = self.begin_write()?;
        {
            let mut docs = txn.open_table(DOCS)?;
            match json {
                Some(j) => {
                    docs.insert((collection, key), j)?;
                }
                None => {
                    docs.remove((collection, key))?;
                }
            }
        }
        bump(&txn, counter)?;
        let logged = crate::decisions::append_in(&txn, std::slice::from_ref(decision))?;
        txn.commit()?;
        logged.into_iter().next().ok_or_else(|| Error::Invalid("no decision was written".into()))
    }

    fn counter(&self, name: &str) -> Result<u64> {
        let txn = self.db().begin_read()?;
        let meta = txn.open_table(META)?;
        Ok(meta.get(name)?.map(|v| v.value()).unwrap_or(0))
    }

    fn secret(&self, name: &str) -> Result<Vec<u8>> {
        {
            let txn = self.db().begin_read()?;
            let secrets = txn.open_table(SECRETS)?;
            if let Some(v) = secrets.get(name)? {
                return Ok(v.value().to_vec());
            }
        }
        let txn = self.begin_write()?;
        let secret = {
            let mut secrets = txn.open_table(SECRETS)?;
            let existing = secrets.get(name)?.map(|v| v.value().to_vec());
            match existing {
                Some(v) => v,
                None => {
                    let fresh = fresh_secret()?;
                    secrets.insert(name, fresh.as_slice())?;
                    fresh
                }
            }
        };
        txn.commit()?;
        Ok(secret)
    }

    // ---- tasks -----------------------------------------------------------

    fn put_task(&self, id: &str, json: &str) -> Result<()> {
        if id.is_empty() {
            return Err(Error::Invalid("a task needs an id".into()));
        }
        let txn = self.begin_write()?;
        txn.open_table(TASKS)?.insert(id, json)?;
        txn.commit()?;
        Ok(())
    }

    fn get_task(&self, id: &str) -> Result<Option<String>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TASKS)?;
        let found = table.get(id)?;
        Ok(found.map(|g| g.value().to_string()))
    }

    fn list_tasks(&self) -> Result<Vec<(String, String)>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TASKS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            out.push((k.value().to_string(), v.value().to_string()));
        }
        Ok(out)
    }

    // ---- audit -----------------------------------------------------------

    fn append_audit(&self, entry: AuditEntry) -> Result<u64> {
        let txn = self.begin_write()?;
        let seq;
        {
            let mut table = txn.open_table(AUDIT)?;
            seq = table.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
            table.insert(seq, encode(&entry).as_slice())?;
        }
        crate::decisions::append_in(&txn, &[audit_decision(&entry)])?;
        txn.commit()?;
        Ok(seq)
    }

    fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(AUDIT)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (_, bytes) = entry?;
            out.push(decode("audit", bytes.value())?);
        }
        Ok(out)
    }
}

/// Writes `docs` (keyed by customer id) with `put`, except those of
/// forgotten customers; returns the keys skipped.
pub(crate) fn put_customer_docs_with(
    erased: &crate::erasure::Erased,
    docs: &[(String, String)],
    put: &mut dyn FnMut(&str, &str) -> Result<()>,
) -> Result<Vec<String>> {
    let mut skipped = Vec::new();
    for (key, json) in docs {
        if key.is_empty() {
            return Err(Error::Invalid("a document needs a key".into()));
        }
        if erased.contains(key) {
            skipped.push(key.clone());
            continue;
        }
        put(key, json)?;
    }
    Ok(skipped)
}

/// The decision-log entry that goes with an audit entry.
pub(crate) fn audit_decision(entry: &AuditEntry) -> crate::NewDecision {
    crate::NewDecision {
        at_ms: entry.at.saturating_mul(1000),
        kind: entry.action.clone(),
        subject: entry.subject.clone(),
        version: "person".into(),
        inputs: "{}".into(),
        output: entry.decision_json.clone(),
        reasons: entry.why_json.clone(),
        actor: entry.actor.clone(),
        override_by: None,
        override_why: None,
    }
}

/// Refuses a document without a collection or a key.
pub(crate) fn check_doc(collection: &str, key: &str) -> Result<()> {
    if collection.is_empty() || key.is_empty() {
        return Err(Error::Invalid("a document needs a collection and a key".into()));
    }
    Ok(())
}

/// A fresh random 32-byte secret.
pub(crate) fn fresh_secret() -> Result<Vec<u8>> {
    let mut fresh = [0u8; 32];
    getrandom::getrandom(&mut fresh)
        .map_err(|e| Error::Invalid(format!("no randomness for a secret: {e}")))?;
    Ok(fresh.to_vec())
}

/// Adds one to the counter `name` in `txn`.
pub(crate) fn bump(txn: &redb::WriteTransaction, name: &str) -> Result<u64> {
    let mut meta = txn.open_table(META)?;
    let next = meta.get(name)?.map(|v| v.value()).unwrap_or(0) + 1;
    meta.insert(name, next)?;
    Ok(next)
}
