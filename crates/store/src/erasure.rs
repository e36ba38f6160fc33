//! The erasure list: which customers were forgotten, kept so that a later
//! import or event does not bring them back, without keeping their ids.
//!
//! An entry is HMAC-SHA256 of the id under a secret of this store (32 random
//! bytes in the `secrets` table, made when the store is first opened). A plain
//! hash would not do: customer ids come from a small space (`C000001` to
//! `C999999` is a million guesses, a tenth of a second), so anyone holding the
//! file could recover every forgotten id by hashing them all.
//!
//! Stores written before the secret existed hold plain SHA-256 entries. The ids
//! behind them are gone, so they cannot be re-keyed: at the first open they are
//! moved to `erased_customers_sha256` and still matched, so those customers
//! stay forgotten, but they remain guessable by whoever holds the file.
//! Deleting that table would end the exposure at the cost of letting an old
//! export bring those customers back; that is the operator's call, not ours.

use std::collections::HashSet;

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use sha2::{Digest, Sha256};

use crate::tables::{ERASED, ERASED_SHA256, SECRETS};
use crate::{Error, Result};

pub(crate) const ERASURE_SECRET: &str = "erasure";

/// The forgotten customers, read once per write transaction.
pub(crate) struct Erased {
    secret: Vec<u8>,
    keyed: HashSet<String>,
    legacy: HashSet<String>,
}

impl Erased {
    /// The list from its parts: the store's erasure secret, the keyed
    /// entries and the plain SHA-256 ones of old stores.
    pub(crate) fn new(secret: Vec<u8>, keyed: HashSet<String>, legacy: HashSet<String>) -> Erased {
        Erased { secret, keyed, legacy }
    }

    pub(crate) fn read(txn: &WriteTransaction) -> Result<Erased> {
        let mut keyed = HashSet::new();
        for entry in txn.open_table(ERASED)?.iter()? {
            keyed.insert(entry?.0.value().to_string());
        }
        let mut legacy = HashSet::new();
        for entry in txn.open_table(ERASED_SHA256)?.iter()? {
            legacy.insert(entry?.0.value().to_string());
        }
        Ok(Erased { secret: secret(txn)?, keyed, legacy })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keyed.is_empty() && self.legacy.is_empty()
    }

    pub(crate) fn contains(&self, customer_id: &str) -> bool {
        !self.is_empty()
            && (self.keyed.contains(&keyed_hash(&self.secret, customer_id))
                || (!self.legacy.is_empty()
                    && self.legacy.contains(&hex::encode(Sha256::digest(customer_id.as_bytes())))))
    }
}

/// Records `customer_id` as forgotten at `now`.
pub(crate) fn remember(txn: &WriteTransaction, customer_id: &str, now: i64) -> Result<()> {
    let entry = keyed_hash(&secret(txn)?, customer_id);
    txn.open_table(ERASED)?.insert(entry.as_str(), now)?;
    Ok(())
}

/// Makes the store's secret if it has none, moving plain-hash entries
/// written before it to their own table (see the module documentation).
pub(crate) fn init(txn: &WriteTransaction) -> Result<()> {
    let mut secrets = txn.open_table(SECRETS)?;
    if secrets.get(ERASURE_SECRET)?.is_some() {
        return Ok(());
    }
    let mut erased = txn.open_table(ERASED)?;
    if erased.len()? > 0 {
        let mut legacy = txn.open_table(ERASED_SHA256)?;
        for entry in erased.iter()? {
            let (hash, at) = entry?;
            legacy.insert(hash.value(), at.value())?;
        }
        erased.retain(|_, _| false)?;
    }
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret)
        .map_err(|e| Error::Invalid(format!("no randomness for the store's secret: {e}")))?;
    secrets.insert(ERASURE_SECRET, secret.as_slice())?;
    Ok(())
}

fn secret(txn: &WriteTransaction) -> Result<Vec<u8>> {
    let secrets = txn.open_table(SECRETS)?;
    let secret = secrets.get(ERASURE_SECRET)?.map(|v| v.value().to_vec());
    secret.ok_or_else(|| Error::Invalid("the store has no erasure secret".into()))
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, in hex. Fifteen lines
/// here instead of a dependency, as with the Basic-auth base64.
pub(crate) fn keyed_hash(key: &[u8], message: &str) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message.as_bytes()).finalize();
    hex::encode(Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
}

#[cfg(test)]
mod tests {
    use super::keyed_hash;

    #[test]
    fn keyed_hash_is_hmac_sha256() {
        // RFC 4231, test cases 1 and 2.
        assert_eq!(
            keyed_hash(&[0x0b; 20], "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            keyed_hash(b"Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
