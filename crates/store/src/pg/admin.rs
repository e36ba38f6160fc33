//! Documents, counters, secrets, tasks, the audit and decision logs, API
//! keys and the outbox in PostgreSQL.

use model::{OutboxMessage, OutboxStatus};
use postgres::Transaction;

use super::catalog::bump;
use super::{big, body, json, unbig, Postgres};
use crate::admin::{audit_decision, check_doc, fresh_secret, put_customer_docs_with};
use crate::decisions::{chain, checkpoint, read_checkpoint, CHECKPOINT_DOC};
use crate::keys::{self, make_key, rotation, touched, StoredKey};
use crate::{
    AuditEntry, Checkpoint, Decision, DecisionStore, DocStore, EnqueueOutcome, Error, KeyInfo, KeyStore,
    NewDecision, NewKey, OutboxStore, Result, GENESIS,
};

/// Appends `new` to the decision log inside `tx` (which holds the write
/// lock, so the chain's last entry cannot move meanwhile).
fn append_in(tx: &mut Transaction<'_>, new: &[NewDecision]) -> Result<Vec<Decision>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let last = tx.query_opt("SELECT seq, body->>'hash' FROM decisions ORDER BY seq DESC LIMIT 1", &[])?;
    let (seq, prev) = match last {
        Some(row) => (unbig(row.try_get(0)?), row.try_get::<_, String>(1)?),
        None => (0, GENESIS.to_string()),
    };
    let out = chain(seq, prev, new);
    for d in &out {
        tx.execute(
            "INSERT INTO decisions (seq, body) VALUES ($1, $2::text::jsonb)",
            &[&big(d.seq), &json(d)],
        )?;
    }
    Ok(out)
}

fn set_doc(tx: &mut Transaction<'_>, collection: &str, key: &str, json: Option<&str>) -> Result<()> {
    match json {
        Some(j) => tx.execute(
            "INSERT INTO docs (collection, key, json) VALUES ($1, $2, $3) \
             ON CONFLICT (collection, key) DO UPDATE SET json = excluded.json",
            &[&collection, &key, &j],
        )?,
        None => tx.execute("DELETE FROM docs WHERE collection = $1 AND key = $2", &[&collection, &key])?,
    };
    Ok(())
}

impl DocStore for Postgres {
    fn put_doc(&self, collection: &str, key: &str, json: &str) -> Result<()> {
        check_doc(collection, key)?;
        self.write(|tx| set_doc(tx, collection, key, Some(json)))
    }

    fn get_doc(&self, collection: &str, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            let row = c.query_opt(
                "SELECT json FROM docs WHERE collection = $1 AND key = $2",
                &[&collection, &key],
            )?;
            Ok(row.map(|r| r.try_get(0)).transpose()?)
        })
    }

    fn list_docs(&self, collection: &str) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            let rows =
                c.query("SELECT key, json FROM docs WHERE collection = $1 ORDER BY key", &[&collection])?;
            rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
        })
    }

    fn put_customer_docs(&self, collection: &str, docs: &[(String, String)]) -> Result<Vec<String>> {
        self.write(|tx| {
            let erased = super::events::erased(tx)?;
            put_customer_docs_with(&erased, docs, &mut |key, json| set_doc(tx, collection, key, Some(json)))
        })
    }

    fn delete_doc(&self, collection: &str, key: &str) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute("DELETE FROM docs WHERE collection = $1 AND key = $2", &[&collection, &key])? > 0)
        })
    }

    fn put_doc_counted(&self, collection: &str, key: &str, json: Option<&str>, counter: &str) -> Result<u64> {
        check_doc(collection, key)?;
        self.write(|tx| {
            set_doc(tx, collection, key, json)?;
            bump(tx, counter)
        })
    }

    fn put_doc_decided(
        &self,
        collection: &str,
        key: &str,
        json: Option<&str>,
        counter: &str,
        decision: &NewDecision,
    ) -> Result<Decision> {
        check_doc(collection, key)?;
        let logged = self.write(|tx| {
            set_doc(tx, collection, key, json)?;
            bump(tx, counter)?;
            append_in(tx, std::slice::from_ref(decision))
        })?;
        logged.into_iter().next().ok_or_else(|| Error::Invalid("no decision was written".into()))
    }

    fn counter(&self, name: &str) -> Result<u64> {
        let read = |c: &mut postgres::Client| -> Result<i64> {
            let row = c.query_opt("SELECT value FROM meta WHERE name = $1", &[&name])?;
            Ok(row.map(|r| r.try_get::<_, i64>(0)).transpose()?.unwrap_or(0))
        };
        // The event count moves with every append, which does not notify.
        let n = if name == super::events::EVENT_COUNT {
            self.read(read)?
        } else {
            self.cached(&format!("meta:{name}"), read)?
        };
        Ok(unbig(n))
    }

    fn secret(&self, name: &str) -> Result<Vec<u8>> {
        let found = self.read(|c| {
            let row = c.query_opt("SELECT value FROM secrets WHERE name = $1", &[&name])?;
            Ok(row.map(|r| r.try_get::<_, Vec<u8>>(0)).transpose()?)
        })?;
        if let Some(secret) = found {
            return Ok(secret);
        }
        // Two nodes may make one at once: the first insert wins and both
        // read it back.
        let fresh = fresh_secret()?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &fresh],
            )?;
            Ok(tx.query_one("SELECT value FROM secrets WHERE name = $1", &[&name])?.try_get(0)?)
        })
    }

    fn put_task(&self, id: &str, json: &str) -> Result<()> {
        if id.is_empty() {
            return Err(Error::Invalid("a task needs an id".into()));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tasks (id, json) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
                &[&id, &json],
            )?;
            Ok(())
        })
    }

    fn get_task(&self, id: &str) -> Result<Option<String>> {
        self.read(|c| {
            let row = c.query_opt("SELECT json FROM tasks WHERE id = $1", &[&id])?;
            Ok(row.map(|r| r.try_get(0)).transpose()?)
        })
    }

    fn list_tasks(&self) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            let rows = c.query("SELECT id, json FROM tasks ORDER BY id", &[])?;
            rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
        })
    }

    fn append_audit(&self, entry: AuditEntry) -> Result<u64> {
        self.write(|tx| {
            let seq: i64 = tx.query_one("SELECT coalesce(max(seq), 0) + 1 FROM audit", &[])?.try_get(0)?;
            tx.execute("INSERT INTO audit (seq, body) VALUES ($1, $2::text::jsonb)", &[&seq, &json(&entry)])?;
            append_in(tx, &[audit_decision(&entry)])?;
            Ok(unbig(seq))
        })
    }

    fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        self.records("audit", "SELECT body::text FROM audit ORDER BY seq", &[])
    }
}

impl DecisionStore for Postgres {
    fn append_decisions(&self, new: &[NewDecision]) -> Result<Vec<Decision>> {
        self.write(|tx| append_in(tx, new))
    }

    fn visit_decisions(&self, f: &mut dyn FnMut(Decision) -> bool) -> Result<()> {
        self.visit_pages(
            "decisions",
            "SELECT seq, body::text FROM decisions WHERE seq > $1 ORDER BY seq LIMIT $2",
            f,
        )
    }

    fn decision_count(&self) -> Result<u64> {
        self.read(|c| Ok(unbig(c.query_one("SELECT count(*) FROM decisions", &[])?.try_get(0)?)))
    }

    fn prune_decisions(&self, before_ms: i64, now_ms: i64) -> Result<Option<Checkpoint>> {
        let secret = self.secret("checkpoint")?;
        let previous = read_checkpoint(self)?;
        self.write(|tx| {
            // The prefix older than the cut-off, never the newest entry.
            let rows = tx.query(
                "SELECT seq, body::text FROM decisions \
                 WHERE seq < (SELECT max(seq) FROM decisions) ORDER BY seq",
                &[],
            )?;
            let mut through: Option<Decision> = None;
            let mut removed = 0u64;
            for row in &rows {
                let d: Decision = body("decisions", row, 1)?;
                if d.at_ms >= before_ms {
                    break;
                }
                removed += 1;
                through = Some(d);
            }
            let Some(through) = through else { return Ok(None) };
            tx.execute("DELETE FROM decisions WHERE seq <= $1", &[&big(through.seq)])?;
            let cp = checkpoint(through, removed, previous.as_ref(), before_ms, now_ms, &secret);
            let text = serde_json::to_string(&cp).unwrap_or_default();
            set_doc(tx, CHECKPOINT_DOC.0, CHECKPOINT_DOC.1, Some(&text))?;
            Ok(Some(cp))
        })
    }
}

fn stored_key(tx: &mut Transaction<'_>, id: u64) -> Result<Option<StoredKey>> {
    let row = tx.query_opt("SELECT body::text FROM api_keys WHERE id = $1", &[&big(id)])?;
    row.map(|r| body("api_keys", &r, 0)).transpose()
}

fn put_key(tx: &mut Transaction<'_>, id: u64, stored: &StoredKey) -> Result<()> {
    tx.execute(
        "INSERT INTO api_keys (id, body) VALUES ($1, $2::text::jsonb) \
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        &[&big(id), &json(stored)],
    )?;
    Ok(())
}

fn insert_key(
    tx: &mut Transaction<'_>,
    new: NewKey,
    now: i64,
    rotated_from: Option<u64>,
) -> Result<(String, KeyInfo)> {
    let id: i64 = tx.query_one("SELECT coalesce(max(id), 0) + 1 FROM api_keys", &[])?.try_get(0)?;
    let (key, info, stored) = make_key(unbig(id), new, now, rotated_from)?;
    put_key(tx, unbig(id), &stored)?;
    Ok((key, info))
}

impl KeyStore for Postgres {
    fn create_key(&self, new: NewKey, now: i64) -> Result<(String, KeyInfo)> {
        keys::check(&new)?;
        self.write(|tx| insert_key(tx, new, now, None))
    }

    fn rotate_key(&self, id: u64, now: i64, overlap_secs: i64) -> Result<Option<(String, KeyInfo)>> {
        self.write(|tx| {
            let Some(old) = stored_key(tx, id)? else { return Ok(None) };
            let (old, new) = rotation(old, now, overlap_secs);
            put_key(tx, id, &old)?;
            Ok(Some(insert_key(tx, new, now, Some(id))?))
        })
    }

    fn verify_key(&self, key: &str) -> Result<Option<KeyInfo>> {
        let stored: Vec<StoredKey> =
            self.records("api_keys", "SELECT body::text FROM api_keys ORDER BY id", &[])?;
        keys::find(key, stored.into_iter().map(Ok))
    }

    fn has_keys(&self) -> Result<bool> {
        let some = self.cached("keys:any", |c| {
            Ok(i64::from(c.query_one("SELECT EXISTS (SELECT 1 FROM api_keys)", &[])?.try_get::<_, bool>(0)?))
        })?;
        Ok(some != 0)
    }

    fn list_keys(&self) -> Result<Vec<KeyInfo>> {
        let stored: Vec<StoredKey> =
            self.records("api_keys", "SELECT body::text FROM api_keys ORDER BY id", &[])?;
        Ok(stored.iter().map(StoredKey::info).collect())
    }

    fn touch_key(&self, id: u64, at: i64) -> Result<()> {
        self.write(|tx| {
            let Some(stored) = stored_key(tx, id)? else { return Ok(()) };
            match touched(stored, at) {
                Some(stored) => put_key(tx, id, &stored),
                None => Ok(()),
            }
        })
    }

    fn revoke_key(&self, id: u64) -> Result<bool> {
        self.write(|tx| Ok(tx.execute("DELETE FROM api_keys WHERE id = $1", &[&big(id)])? > 0))
    }
}

impl OutboxStore for Postgres {
    fn enqueue_outbox(
        &self,
        messages: &[OutboxMessage],
        mark: Option<(&str, u64)>,
        decisions: &[NewDecision],
    ) -> Result<EnqueueOutcome> {
        if messages.iter().any(|m| m.id.is_empty()) {
            return Err(Error::Invalid("an outbox message needs an id".into()));
        }
        self.write(|tx| {
            let mut out = EnqueueOutcome::default();
            for m in messages {
                let written = tx.execute(
                    "INSERT INTO outbox (id, pending, next_ms, body) VALUES ($1, $2, $3, $4::text::jsonb) \
                     ON CONFLICT (id) DO NOTHING",
                    &[&m.id, &(m.status == OutboxStatus::Pending), &m.next_ms, &json(m)],
                )? > 0;
                out.written.push(written);
                if written {
                    out.inserted += 1;
                } else {
                    out.known += 1;
                }
            }
            if let Some((name, value)) = mark {
                tx.execute(
                    "INSERT INTO meta (name, value) VALUES ($1, $2) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    &[&name, &big(value)],
                )?;
            }
            let logged: Vec<NewDecision> =
                decisions.iter().zip(&out.written).filter(|(_, w)| **w).map(|(d, _)| d.clone()).collect();
            append_in(tx, &logged)?;
            Ok(out)
        })
    }

    fn outbox_due(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxMessage>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.records(
            "outbox",
            "SELECT body::text FROM outbox WHERE pending AND next_ms <= $1 ORDER BY next_ms, id LIMIT $2",
            &[&now_ms, &limit],
        )
    }

    fn outbox_pending_count(&self) -> Result<u64> {
        self.read(|c| Ok(unbig(c.query_one("SELECT count(*) FROM outbox WHERE pending", &[])?.try_get(0)?)))
    }

    fn outbox_next_due(&self) -> Result<Option<i64>> {
        self.read(|c| Ok(c.query_one("SELECT min(next_ms) FROM outbox WHERE pending", &[])?.try_get(0)?))
    }

    fn update_outbox(&self, messages: &[OutboxMessage], decisions: &[NewDecision]) -> Result<()> {
        self.write(|tx| {
            for m in messages {
                // A message no longer held (its customer was forgotten) is left out.
                tx.execute(
                    "UPDATE outbox SET pending = $2, next_ms = $3, body = $4::text::jsonb WHERE id = $1",
                    &[&m.id, &(m.status == OutboxStatus::Pending), &m.next_ms, &json(m)],
                )?;
            }
            append_in(tx, decisions)?;
            Ok(())
        })
    }

    fn outbox_message(&self, id: &str) -> Result<Option<OutboxMessage>> {
        self.record("outbox", "SELECT body::text FROM outbox WHERE id = $1", &[&id])
    }

    fn outbox(&self) -> Result<Vec<OutboxMessage>> {
        self.records("outbox", "SELECT body::text FROM outbox ORDER BY id", &[])
    }
}
