//! Small records beside the data: JSON documents for engines' state,
//! secrets, background-task records and the append-only audit log. (API keys
//! are in `keys`.)

use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use crate::tables::{decode, encode, AUDIT, DOCS, META, SECRETS, TASKS};
use crate::{Error, Result, Store};

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

impl Store {
    // ---- documents -------------------------------------------------------

    pub fn put_doc(&self, collection: &str, key: &str, json: &str) -> Result<()> {
        if collection.is_empty() || key.is_empty() {
            return Err(Error::Invalid("a document needs a collection and a key".into()));
        }
        let txn = self.begin_write()?;
        txn.open_table(DOCS)?.insert((collection, key), json)?;
        txn.commit()?;
        Ok(())
    }

    pub fn get_doc(&self, collection: &str, key: &str) -> Result<Option<String>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(DOCS)?;
        let found = table.get((collection, key))?;
        Ok(found.map(|g| g.value().to_string()))
    }

    /// (key, json) of every document in `collection`, sorted by key.
    pub fn list_docs(&self, collection: &str) -> Result<Vec<(String, String)>> {
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

    /// Writes documents keyed by customer id in one transaction, skipping
    /// customers who were forgotten (their data must not come back);
    /// returns the keys skipped.
    pub fn put_customer_docs(&self, collection: &str, docs: &[(String, String)]) -> Result<Vec<String>> {
        let txn = self.begin_write()?;
        let erased = crate::erasure::Erased::read(&txn)?;
        let mut skipped = Vec::new();
        {
            let mut table = txn.open_table(DOCS)?;
            for (key, json) in docs {
                if key.is_empty() {
                    return Err(Error::Invalid("a document needs a key".into()));
                }
                if erased.contains(key) {
                    skipped.push(key.clone());
                    continue;
                }
                table.insert((collection, key.as_str()), json.as_str())?;
            }
        }
        txn.commit()?;
        Ok(skipped)
    }

    /// Returns whether the document existed.
    pub fn delete_doc(&self, collection: &str, key: &str) -> Result<bool> {
        let txn = self.begin_write()?;
        let existed = txn.open_table(DOCS)?.remove((collection, key))?.is_some();
        txn.commit()?;
        Ok(existed)
    }

    /// Sets (`Some`) or deletes (`None`) one document and bumps the counter
    /// `counter` in the same transaction; returns the counter's new value.
    /// Engines built from a collection key on its counter.
    pub fn put_doc_counted(
        &self,
        collection: &str,
        key: &str,
        json: Option<&str>,
        counter: &str,
    ) -> Result<u64> {
        if collection.is_empty() || key.is_empty() {
            return Err(Error::Invalid("a document needs a collection and a key".into()));
        }
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

    /// [`Store::put_doc_counted`] with an entry of the decision log written in
    /// the same transaction: a person's change and its record land together
    /// or not at all.
    pub fn put_doc_decided(
        &self,
        collection: &str,
        key: &str,
        json: Option<&str>,
        counter: &str,
        decision: &crate::NewDecision,
    ) -> Result<crate::Decision> {
        if collection.is_empty() || key.is_empty() {
            return Err(Error::Invalid("a document needs a collection and a key".into()));
        }
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

    /// A counter bumped by [`Store::put_doc_counted`] (0 before the first).
    pub fn counter(&self, name: &str) -> Result<u64> {
        let txn = self.db().begin_read()?;
        let meta = txn.open_table(META)?;
        Ok(meta.get(name)?.map(|v| v.value()).unwrap_or(0))
    }

    /// A random 32-byte secret of this store by name, made on first use
    /// (what signs unsubscribe links). `erasure` is the erasure list's own.
    pub fn secret(&self, name: &str) -> Result<Vec<u8>> {
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
                    let mut fresh = [0u8; 32];
                    getrandom::getrandom(&mut fresh)
                        .map_err(|e| Error::Invalid(format!("no randomness for a secret: {e}")))?;
                    secrets.insert(name, fresh.as_slice())?;
                    fresh.to_vec()
                }
            }
        };
        txn.commit()?;
        Ok(secret)
    }

    // ---- tasks -----------------------------------------------------------

    pub fn put_task(&self, id: &str, json: &str) -> Result<()> {
        if id.is_empty() {
            return Err(Error::Invalid("a task needs an id".into()));
        }
        let txn = self.begin_write()?;
        txn.open_table(TASKS)?.insert(id, json)?;
        txn.commit()?;
        Ok(())
    }

    pub fn get_task(&self, id: &str) -> Result<Option<String>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TASKS)?;
        let found = table.get(id)?;
        Ok(found.map(|g| g.value().to_string()))
    }

    /// (id, json) of every task, sorted by id.
    pub fn list_tasks(&self) -> Result<Vec<(String, String)>> {
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

    /// Appends to the audit log (never rewritten); returns the entry's number.
    /// Records a person's decision (a buyer's, an agent's) in the audit
    /// table and, in the same transaction, in the hash-chained decision log.
    pub fn append_audit(&self, entry: AuditEntry) -> Result<u64> {
        let txn = self.begin_write()?;
        let seq;
        {
            let mut table = txn.open_table(AUDIT)?;
            seq = table.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
            table.insert(seq, encode(&entry).as_slice())?;
        }
        crate::decisions::append_in(
            &txn,
            &[crate::NewDecision {
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
            }],
        )?;
        txn.commit()?;
        Ok(seq)
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
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

/// Adds one to the counter `name` in `txn`.
pub(crate) fn bump(txn: &redb::WriteTransaction, name: &str) -> Result<u64> {
    let mut meta = txn.open_table(META)?;
    let next = meta.get(name)?.map(|v| v.value()).unwrap_or(0) + 1;
    meta.insert(name, next)?;
    Ok(next)
}
