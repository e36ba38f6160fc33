//! The decision log: every automated decision that reaches a person or a
//! customer, hash-chained so that an edited, removed or reordered entry is
//! found.
//!
//! Each entry carries the SHA-256 of the one before it (`prev_hash`; 64
//! zeros for the first) and its own hash over every other field, written as
//! one JSON array (so no field can bleed into its neighbour). `verify`
//! recomputes the chain and names the first entry that does not hold; the
//! same check runs on an export (`verify_entries`), so a copy handed to an
//! auditor can be checked without the store.
//!
//! Entries are appended in the transaction of the change they record when
//! the store writes both (the care outbox's decisions), else in their own.
//!
//! Retention: `prune_decisions` removes the oldest entries (a prefix of the
//! chain, never the newest entry) and, in the same transaction, writes a
//! [`Checkpoint`]: the last removed entry's place and hash, signed with an
//! HMAC-SHA256 under the store's own `checkpoint` secret. Verification then
//! starts from the checkpoint instead of the first entry, so pruning does not
//! break the chain, and removing entries without a checkpoint (or editing the
//! checkpoint) still does.

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use hmac::{Hmac, Mac};

use crate::tables::{decode, encode, DECISIONS, DOCS};
use crate::{DocStore, Redb, Result, Store};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A decision to record; the log adds its place, id and hashes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewDecision {
    pub at_ms: i64,
    /// `care_message`, `care_delivery`, `replenishment`, `support_reply`, ...
    pub kind: String,
    /// What it is about: `product:ID`, `order:ID`, `customer:PSEUDONYM`, `sku:SKU`.
    pub subject: String,
    /// The model or rule set that decided.
    pub version: String,
    /// JSON: what it was decided from (minimised; no personal data).
    pub inputs: String,
    /// JSON: what was decided.
    pub output: String,
    /// JSON: the reasons, each with its contribution where there is one.
    pub reasons: String,
    /// `loupe` for an automated decision, else who.
    pub actor: String,
    /// A person who overrode it, and why.
    pub override_by: Option<String>,
    pub override_why: Option<String>,
}

/// An entry of the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub seq: u64,
    /// UUIDv7: time-ordered.
    pub id: String,
    pub at_ms: i64,
    pub kind: String,
    pub subject: String,
    pub version: String,
    pub inputs: String,
    pub output: String,
    pub reasons: String,
    pub actor: String,
    #[serde(default)]
    pub override_by: Option<String>,
    #[serde(default)]
    pub override_why: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Decision {
    /// SHA-256 (hex) of every field but `hash`.
    pub fn compute_hash(&self) -> String {
        let fields = serde_json::json!([
            self.seq,
            self.id,
            self.at_ms,
            self.kind,
            self.subject,
            self.version,
            self.inputs,
            self.output,
            self.reasons,
            self.actor,
            self.override_by,
            self.override_why,
            self.prev_hash,
        ]);
        hex::encode(Sha256::digest(fields.to_string().as_bytes()))
    }
}

/// Where the kept log starts after a prune: the last removed entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last entry removed; the first kept entry is the next.
    pub through_seq: u64,
    /// That entry's hash, which the first kept entry links to.
    pub hash: String,
    /// Entries removed by every prune so far.
    pub pruned: u64,
    /// When the prune ran (Unix ms).
    pub at_ms: i64,
    /// Entries older than this were removed (Unix ms).
    pub before_ms: i64,
    /// HMAC-SHA256 (hex) of the fields above under the store's `checkpoint` secret.
    pub signature: String,
}

impl Checkpoint {
    fn mac(&self, secret: &[u8]) -> String {
        let fields =
            serde_json::json!([self.through_seq, self.hash, self.pruned, self.at_ms, self.before_ms]);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(fields.to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether the signature is the store's (with its `checkpoint` secret).
    pub fn signed_by(&self, secret: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.mac(secret).as_bytes().ct_eq(self.signature.as_bytes()))
    }
}

/// The document that holds the checkpoint.
pub(crate) const CHECKPOINT_DOC: (&str, &str) = ("decisions", "checkpoint");

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    /// The first entry that breaks the chain, and how.
    pub first_broken: Option<(u64, String)>,
    /// Where verification started, when older entries were pruned.
    pub checkpoint: Option<Checkpoint>,
    /// Whether the checkpoint's signature is the store's; `None` when there
    /// is no checkpoint or it was not checked (an export, without the store).
    pub signature_ok: Option<bool>,
}

/// Checks a sequence of entries in order: each one's hash, its link to the
/// one before and its place. The first entry must start the chain (entry 1
/// after the genesis hash) or follow `checkpoint`; the checkpoint's own
/// signature is the caller's to check (it needs the store's secret).
pub fn verify_entries(
    entries: impl IntoIterator<Item = Decision>,
    checkpoint: Option<&Checkpoint>,
) -> Verified {
    let mut out = Verified { checkpoint: checkpoint.cloned(), ..Verified::default() };
    let mut prev: Option<Decision> = None;
    for d in entries {
        out.entries += 1;
        let broken = if d.compute_hash() != d.hash {
            Some("its content does not match its hash (edited)".to_string())
        } else {
            match (&prev, checkpoint) {
                (None, Some(cp)) if d.seq != cp.through_seq + 1 || d.prev_hash != cp.hash => Some(format!(
                    "it does not follow the checkpoint of the prune through entry {} (entries removed or changed)",
                    cp.through_seq
                )),
                (None, None) if d.seq != 1 || d.prev_hash != GENESIS => Some(format!(
                    "the log starts at entry {} and no checkpoint covers the entries before it (removed)",
                    d.seq
                )),
                (Some(p), _) if d.prev_hash != p.hash => Some(format!(
                    "it does not follow entry {} (an entry before it was removed or changed)",
                    p.seq
                )),
                (Some(p), _) if d.seq != p.seq + 1 => {
                    Some(format!("entry {} is followed by entry {}", p.seq, d.seq))
                }
                _ => None,
            }
        };
        if let Some(why) = broken {
            out.first_broken = Some((d.seq, why));
            return out;
        }
        prev = Some(d);
    }
    out
}

/// A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.
fn uuid7(at_ms: i64) -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::getrandom(&mut b[6..]);
    b[..6].copy_from_slice(&(at_ms.max(0) as u64).to_be_bytes()[2..]);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Appends `new` inside `txn`; returns the entries as written.
pub(crate) fn append_in(txn: &WriteTransaction, new: &[NewDecision]) -> Result<Vec<Decision>> {
    let mut table = txn.open_table(DECISIONS)?;
    let (seq, prev_hash) = match table.last()? {
        Some((k, v)) => {
            let last: Decision = decode("decisions", v.value())?;
            (k.value(), last.hash)
        }
        None => (0, GENESIS.to_string()),
    };
    let out = chain(seq, prev_hash, new);
    for d in &out {
        table.insert(d.seq, encode(d).as_slice())?;
    }
    Ok(out)
}

/// The decision log: a [`Backend`](crate::Backend)'s part.
pub trait DecisionStore {
    /// Appends decisions in one transaction.
    fn append_decisions(&self, new: &[NewDecision]) -> Result<Vec<Decision>>;

    /// Visits every entry in order until `f` returns false.
    fn visit_decisions(&self, f: &mut dyn FnMut(Decision) -> bool) -> Result<()>;

    fn decision_count(&self) -> Result<u64>;

    /// Removes the entries older than `before_ms` from the start of the log
    /// (up to the first entry that is not older, and never the newest entry,
    /// which the next append links to) and writes the signed checkpoint, in
    /// one transaction. `None` when nothing was old enough.
    fn prune_decisions(&self, before_ms: i64, now_ms: i64) -> Result<Option<Checkpoint>>;
}

impl Store {
    /// [`DecisionStore::visit_decisions`] with any closure.
    pub fn for_each_decision(&self, mut f: impl FnMut(Decision) -> bool) -> Result<()> {
        self.visit_decisions(&mut f)
    }

    /// Recomputes the whole chain, from the checkpoint when there is one
    /// (whose signature is checked first).
    pub fn verify_decisions(&self) -> Result<Verified> {
        let checkpoint = self.decision_checkpoint()?;
        if let Some(cp) = &checkpoint {
            if !cp.signed_by(&self.secret("checkpoint")?) {
                return Ok(Verified {
                    entries: 0,
                    first_broken: Some((
                        cp.through_seq,
                        "the checkpoint's signature does not match this store's (the checkpoint was edited)"
                            .into(),
                    )),
                    checkpoint,
                    signature_ok: Some(false),
                });
            }
        }
        let mut all = Vec::new();
        self.for_each_decision(|d| {
            all.push(d);
            true
        })?;
        let signed = checkpoint.is_some();
        Ok(Verified { signature_ok: signed.then_some(true), ..verify_entries(all, checkpoint.as_ref()) })
    }

    /// The checkpoint of the last prune, if the log was ever pruned.
    pub fn decision_checkpoint(&self) -> Result<Option<Checkpoint>> {
        read_checkpoint(&**self)
    }
}

/// The checkpoint document of `docs`.
pub(crate) fn read_checkpoint(docs: &(impl DocStore + ?Sized)) -> Result<Option<Checkpoint>> {
    Ok(match docs.get_doc(CHECKPOINT_DOC.0, CHECKPOINT_DOC.1)? {
        Some(json) => Some(
            serde_json::from_str(&json).map_err(|source| crate::Error::Corrupt { table: "docs", source })?,
        ),
        None => None,
    })
}

/// The signed checkpoint after removing `removed` entries through
/// `through`, counting on from the `previous` checkpoint.
pub(crate) fn checkpoint(
    through: Decision,
    removed: u64,
    previous: Option<&Checkpoint>,
    before_ms: i64,
    now_ms: i64,
    secret: &[u8],
) -> Checkpoint {
    let mut cp = Checkpoint {
        through_seq: through.seq,
        hash: through.hash,
        pruned: previous.map_or(0, |p| p.pruned) + removed,
        at_ms: now_ms,
        before_ms,
        signature: String::new(),
    };
    cp.signature = cp.mac(secret);
    cp
}

/// The entries `new` become after the entry (`seq`, `prev_hash`): numbered
/// on, each linked to the one before.
pub(crate) fn chain(mut seq: u64, mut prev_hash: String, new: &[NewDecision]) -> Vec<Decision> {
    let mut out = Vec::with_capacity(new.len());
    for n in new {
        seq += 1;
        let mut d = Decision {
            seq,
            id: uuid7(n.at_ms),
            at_ms: n.at_ms,
            kind: n.kind.clone(),
            subject: n.subject.clone(),
            version: n.version.clone(),
            inputs: n.inputs.clone(),
            output: n.output.clone(),
            reasons: n.reasons.clone(),
            actor: n.actor.clone(),
            override_by: n.override_by.clone(),
            override_why: n.override_why.clone(),
            prev_hash: prev_hash.clone(),
            hash: String::new(),
        };
        d.hash = d.compute_hash();
        prev_hash = d.hash.clone();
        out.push(d);
    }
    out
}

impl DecisionStore for Redb {
    fn append_decisions(&self, new: &[NewDecision]) -> Result<Vec<Decision>> {
        let txn = self.begin_write()?;
        let out = append_in(&txn, new)?;
        txn.commit()?;
        Ok(out)
    }

    fn visit_decisions(&self, f: &mut dyn FnMut(Decision) -> bool) -> Result<()> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(DECISIONS)?;
        for entry in table.iter()? {
            if !f(decode("decisions", entry?.1.value())?) {
                break;
            }
        }
        Ok(())
    }

    fn decision_count(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(DECISIONS)?.len()?)
    }

    fn prune_decisions(&self, before_ms: i64, now_ms: i64) -> Result<Option<Checkpoint>> {
        let secret = self.secret("checkpoint")?;
        let previous = read_checkpoint(self)?;
        let txn = self.begin_write()?;
        let checkpoint = {
            let mut table = txn.open_table(DECISIONS)?;
            let last_seq = table.last()?.map(|(k, _)| k.value());
            let mut through: Option<Decision> = None;
            let mut removed = Vec::new();
            for entry in table.iter()? {
                let (k, v) = entry?;
                let d: Decision = decode("decisions", v.value())?;
                if d.at_ms >= before_ms || Some(k.value()) == last_seq {
                    break;
                }
                removed.push(k.value());
                through = Some(d);
            }
            let Some(through) = through else { return Ok(None) };
            for k in &removed {
                table.remove(*k)?;
            }
            let cp = checkpoint(through, removed.len() as u64, previous.as_ref(), before_ms, now_ms, &secret);
            txn.open_table(DOCS)?
                .insert(CHECKPOINT_DOC, serde_json::to_string(&cp).unwrap_or_default().as_str())?;
            cp
        };
        txn.commit()?;
        Ok(Some(checkpoint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(kind: &str, output: &str) -> NewDecision {
        NewDecision {
            at_ms: 1_767_225_600_000,
            kind: kind.into(),
            subject: "sku:R1".into(),
            version: "test".into(),
            inputs: "{}".into(),
            output: output.into(),
            reasons: "[]".into(),
            actor: "loupe".into(),
            ..NewDecision::default()
        }
    }

    #[test]
    fn the_chain_verifies_and_an_edit_is_named() {
        let redb = Redb::open_temporary().unwrap();
        let store = Store::from_backend(redb.clone());
        store.append_decisions(&[new("a", "1"), new("b", "2")]).unwrap();
        store.append_decisions(&[new("c", "3")]).unwrap();
        let v = store.verify_decisions().unwrap();
        assert_eq!(v, Verified { entries: 3, first_broken: None, checkpoint: None, signature_ok: None });
        // Someone with the file changes entry 2's output.
        let txn = redb.begin_write().unwrap();
        {
            let mut table = txn.open_table(DECISIONS).unwrap();
            let bytes = table.get(2).unwrap().unwrap().value().to_vec();
            let mut d: Decision = decode("decisions", &bytes).unwrap();
            d.output = "\"approved\"".into();
            table.insert(2, encode(&d).as_slice()).unwrap();
        }
        txn.commit().unwrap();
        let v = store.verify_decisions().unwrap();
        assert_eq!(v.first_broken.as_ref().map(|b| b.0), Some(2), "{v:?}");
        assert!(v.first_broken.unwrap().1.contains("edited"));
    }

    #[test]
    fn a_removed_entry_breaks_the_link_after_it() {
        let store = Store::open_temporary().unwrap();
        let written = store.append_decisions(&[new("a", "1"), new("b", "2"), new("c", "3")]).unwrap();
        let mut copy = written.clone();
        copy.remove(1);
        let v = verify_entries(copy, None);
        assert_eq!(v.first_broken.map(|b| b.0), Some(3));
        // Re-hashing the edited entry does not help: the next one's link breaks.
        let mut copy = written;
        copy[0].output = "9".into();
        copy[0].hash = copy[0].compute_hash();
        assert_eq!(verify_entries(copy, None).first_broken.map(|b| b.0), Some(2));
    }

    fn at(kind: &str, at_ms: i64) -> NewDecision {
        NewDecision { at_ms, ..new(kind, "1") }
    }

    #[test]
    fn pruning_keeps_the_chain_verifiable_from_a_signed_checkpoint() {
        let store = Store::open_temporary().unwrap();
        let day = 86_400_000;
        store
            .append_decisions(&[at("a", day), at("b", 2 * day), at("c", 3 * day), at("d", 4 * day)])
            .unwrap();
        assert_eq!(store.prune_decisions(0, 5 * day).unwrap(), None, "nothing older than the cutoff");
        let cp = store.prune_decisions(3 * day, 5 * day).unwrap().unwrap();
        assert_eq!((cp.through_seq, cp.pruned), (2, 2));
        assert_eq!(store.decision_count().unwrap(), 2);
        let v = store.verify_decisions().unwrap();
        assert_eq!((v.entries, v.first_broken.clone()), (2, None), "{v:?}");
        assert_eq!(v.checkpoint.as_ref().map(|c| c.through_seq), Some(2));
        // New entries link on, and a later prune keeps counting; the newest
        // entry always stays.
        store.append_decisions(&[at("e", 6 * day)]).unwrap();
        let cp = store.prune_decisions(100 * day, 101 * day).unwrap().unwrap();
        assert_eq!((cp.through_seq, cp.pruned), (4, 4));
        assert_eq!(store.decision_count().unwrap(), 1);
        assert_eq!(store.verify_decisions().unwrap().first_broken, None);
        store.append_decisions(&[at("f", 7 * day)]).unwrap();
        assert_eq!(store.verify_decisions().unwrap().first_broken, None);

        // Editing the checkpoint (to hide a removal) is found.
        let mut forged = store.decision_checkpoint().unwrap().unwrap();
        forged.through_seq = 3;
        store.put_doc("decisions", "checkpoint", &serde_json::to_string(&forged).unwrap()).unwrap();
        let v = store.verify_decisions().unwrap();
        assert_eq!(v.signature_ok, Some(false));
        assert!(v.first_broken.unwrap().1.contains("signature"));
    }

    #[test]
    fn removing_the_oldest_entries_without_a_checkpoint_is_found() {
        let redb = Redb::open_temporary().unwrap();
        let store = Store::from_backend(redb.clone());
        let written = store.append_decisions(&[new("a", "1"), new("b", "2"), new("c", "3")]).unwrap();
        let v = verify_entries(written[1..].to_vec(), None);
        assert_eq!(v.first_broken.map(|b| b.0), Some(2), "a log that starts at entry 2 with no checkpoint");
        let txn = redb.begin_write().unwrap();
        txn.open_table(DECISIONS).unwrap().remove(1).unwrap();
        txn.commit().unwrap();
        assert_eq!(store.verify_decisions().unwrap().first_broken.map(|b| b.0), Some(2));
    }

    #[test]
    fn ids_are_uuid_v7_in_time_order() {
        let a = uuid7(1_767_225_600_000);
        let b = uuid7(1_767_225_600_001);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
        assert!(a < b);
    }
}
