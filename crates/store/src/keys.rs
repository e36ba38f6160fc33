//! API keys: stored as SHA-256 and compared in constant time, each with a
//! name, scopes, an optional expiry, an optional rate limit of its own and the
//! time it was last used.
//!
//! A scope names what a key may call. The storefront's scopes are narrow
//! (`catalog:read`, `search`, `recs`, ...); the back-office's are areas
//! (`admin:catalog`, `admin:support`, ...) or everything (`admin`). Keys made
//! before scopes existed carry a role instead, read as its scopes
//! ([`Role::scopes`]).
//!
//! Rotation makes a new key with the old one's name, scopes and limit, and
//! gives the old one an expiry a little later: both work during the switch.

use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::tables::{decode, encode, KEYS};
use crate::{Error, Redb, Result};

/// What a key may call. See the README's table for the routes of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Everything, including every admin area.
    #[serde(rename = "admin")]
    Admin,
    /// Imports, catalog writes, search rules, the quality report.
    #[serde(rename = "admin:catalog")]
    AdminCatalog,
    /// Forecasts, replenishment and slow movers.
    #[serde(rename = "admin:planning")]
    AdminPlanning,
    /// Experiments, the scorecard and the merchandising pages.
    #[serde(rename = "admin:merchandising")]
    AdminMerchandising,
    /// Support cases, the knowledge base, care plans and the outbox.
    #[serde(rename = "admin:support")]
    AdminSupport,
    /// The decision log, risk, customers' data (export and erase).
    #[serde(rename = "admin:trust")]
    AdminTrust,
    /// Products, one by one and in pages.
    #[serde(rename = "catalog:read")]
    CatalogRead,
    /// Search and autocomplete.
    #[serde(rename = "search")]
    Search,
    /// Recommendations.
    #[serde(rename = "recs")]
    Recs,
    /// Experiment assignment.
    #[serde(rename = "experiments:assign")]
    ExperimentsAssign,
    /// Support answers and customers' messages (the storefront's chat).
    #[serde(rename = "support:answer")]
    SupportAnswer,
    /// Storefront events (views, carts, purchases).
    #[serde(rename = "events:write")]
    EventsWrite,
}

impl Scope {
    pub const ALL: [Scope; 12] = [
        Scope::Admin,
        Scope::AdminCatalog,
        Scope::AdminPlanning,
        Scope::AdminMerchandising,
        Scope::AdminSupport,
        Scope::AdminTrust,
        Scope::CatalogRead,
        Scope::Search,
        Scope::Recs,
        Scope::ExperimentsAssign,
        Scope::SupportAnswer,
        Scope::EventsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::AdminCatalog => "admin:catalog",
            Scope::AdminPlanning => "admin:planning",
            Scope::AdminMerchandising => "admin:merchandising",
            Scope::AdminSupport => "admin:support",
            Scope::AdminTrust => "admin:trust",
            Scope::CatalogRead => "catalog:read",
            Scope::Search => "search",
            Scope::Recs => "recs",
            Scope::ExperimentsAssign => "experiments:assign",
            Scope::SupportAnswer => "support:answer",
            Scope::EventsWrite => "events:write",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// Whether this is a back-office scope (`admin` or `admin:*`).
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Scope::Admin
                | Scope::AdminCatalog
                | Scope::AdminPlanning
                | Scope::AdminMerchandising
                | Scope::AdminSupport
                | Scope::AdminTrust
        )
    }

    /// Whether a key holding `self` may call a route that needs `need`:
    /// `admin` covers everything, every other scope only itself.
    pub fn covers(self, need: Scope) -> bool {
        self == Scope::Admin || self == need
    }
}

/// The presets `loupe keys create --role` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including imports and key management.
    Admin,
    /// What a storefront reads: catalog, search, recommendations, experiment
    /// assignment and support answers (no writes).
    Public,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "public" => Some(Role::Public),
            _ => None,
        }
    }

    pub fn scopes(self) -> Vec<Scope> {
        match self {
            Role::Admin => vec![Scope::Admin],
            Role::Public => vec![
                Scope::CatalogRead,
                Scope::Search,
                Scope::Recs,
                Scope::ExperimentsAssign,
                Scope::SupportAnswer,
            ],
        }
    }
}

/// What a new key is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewKey {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Unix seconds; `None` for a key that does not expire.
    pub expires_at: Option<i64>,
    /// Requests a minute on the public routes; `None` for the server's default.
    pub rate_per_minute: Option<u32>,
}

impl NewKey {
    pub fn role(role: Role, name: &str) -> NewKey {
        NewKey { name: name.to_string(), scopes: role.scopes(), expires_at: None, rate_per_minute: None }
    }
}

/// A key as listed: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub id: u64,
    #[serde(alias = "label")]
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; after it the key is refused.
    pub expires_at: Option<i64>,
    /// Unix seconds, to the minute (see [`Store::touch_key`]); `None` if never used.
    pub last_used_at: Option<i64>,
    pub rate_per_minute: Option<u32>,
    /// The first characters of the key, enough to recognise it.
    pub hint: String,
    /// The key this one replaced, if it came from a rotation.
    pub rotated_from: Option<u64>,
}

impl KeyInfo {
    /// Whether the key holds the full `admin` scope.
    pub fn is_admin(&self) -> bool {
        self.scopes.contains(&Scope::Admin)
    }

    /// Whether the key may call a route needing `need`.
    pub fn allows(&self, need: Scope) -> bool {
        self.scopes.iter().any(|s| s.covers(need))
    }

    /// Whether the key has expired at `now` (Unix seconds).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// A stored key. Keys made before scopes existed have `role` and no
/// `scopes`; [`StoredKey::info`] reads them either way.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredKey {
    #[serde(flatten)]
    raw: RawInfo,
    sha256: String,
}

#[derive(Serialize, Deserialize)]
struct RawInfo {
    id: u64,
    #[serde(alias = "label", default)]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    #[serde(default)]
    scopes: Vec<Scope>,
    created_at: i64,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    last_used_at: Option<i64>,
    #[serde(default)]
    rate_per_minute: Option<u32>,
    hint: String,
    #[serde(default)]
    rotated_from: Option<u64>,
}

impl StoredKey {
    pub(crate) fn info(&self) -> KeyInfo {
        let r = &self.raw;
        let scopes =
            if r.scopes.is_empty() { r.role.map(Role::scopes).unwrap_or_default() } else { r.scopes.clone() };
        KeyInfo {
            id: r.id,
            name: r.name.clone(),
            scopes,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            rate_per_minute: r.rate_per_minute,
            hint: r.hint.clone(),
            rotated_from: r.rotated_from,
        }
    }

    fn from_info(info: KeyInfo, sha256: String) -> StoredKey {
        StoredKey {
            raw: RawInfo {
                id: info.id,
                name: info.name,
                role: None,
                scopes: info.scopes,
                created_at: info.created_at,
                expires_at: info.expires_at,
                last_used_at: info.last_used_at,
                rate_per_minute: info.rate_per_minute,
                hint: info.hint,
                rotated_from: info.rotated_from,
            },
            sha256,
        }
    }
}

/// The prefix says what kind of key it is, so a leaked key is easy to spot
/// in a log or a repository.
fn prefix(scopes: &[Scope]) -> &'static str {
    if scopes.iter().any(|s| s.is_admin()) {
        "lp_admin_"
    } else {
        "lp_pub_"
    }
}

fn fresh_key(scopes: &[Scope]) -> Result<String> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).map_err(|e| Error::Invalid(format!("no randomness for a key: {e}")))?;
    Ok(format!("{}{}", prefix(scopes), hex::encode(secret)))
}

pub(crate) fn check(new: &NewKey) -> Result<()> {
    if new.scopes.is_empty() {
        return Err(Error::Invalid("a key needs at least one scope".into()));
    }
    if new.name.chars().count() > 200 {
        return Err(Error::Invalid("a key's name is at most 200 characters".into()));
    }
    if new.rate_per_minute == Some(0) {
        return Err(Error::Invalid("a key's rate limit must be at least 1 request a minute".into()));
    }
    Ok(())
}

/// API keys: a [`Backend`](crate::Backend)'s part.
pub trait KeyStore {
    /// Creates a key and returns it in plain text (the only time it exists
    /// outside the caller's hands) with its record. The store keeps its
    /// SHA-256. `now` (Unix seconds) is its `created_at`.
    fn create_key(&self, new: NewKey, now: i64) -> Result<(String, KeyInfo)>;

    /// Replaces key `id`: a new key with its name, scopes, expiry and limit,
    /// and the old key set to expire `overlap_secs` from `now` (sooner if it
    /// already expires sooner), so that both work while clients switch.
    /// `None` if no key has this id.
    fn rotate_key(&self, id: u64, now: i64, overlap_secs: i64) -> Result<Option<(String, KeyInfo)>>;

    /// The key `key` is, or `None` if no stored key matches. Every stored
    /// hash is compared, in constant time, so timing says nothing about which
    /// (if any) key came close. Expiry is the caller's to check
    /// ([`KeyInfo::expired`]), so that it can say why it refuses.
    fn verify_key(&self, key: &str) -> Result<Option<KeyInfo>>;

    /// Whether any key exists (the API enforces keys as soon as one does).
    fn has_keys(&self) -> Result<bool>;

    fn list_keys(&self) -> Result<Vec<KeyInfo>>;

    /// Records that key `id` was used at `at`. Callers do this at most once
    /// a minute per key (a write per request would cost a commit each), so
    /// `last_used_at` is right to the minute. Unknown ids are ignored: the
    /// key may have been revoked meanwhile.
    fn touch_key(&self, id: u64, at: i64) -> Result<()>;

    /// Returns whether a key with this id existed.
    fn revoke_key(&self, id: u64) -> Result<bool>;
}

/// The rules of a rotation: the old key's record, set to expire
/// `overlap_secs` from `now` (sooner if it already expires sooner), and the
/// new key to make in its place, with its name, scopes, expiry and limit.
pub(crate) fn rotation(old: StoredKey, now: i64, overlap_secs: i64) -> (StoredKey, NewKey) {
    let mut info = old.info();
    let until = now.saturating_add(overlap_secs.max(0));
    let new = NewKey {
        name: info.name.clone(),
        scopes: info.scopes.clone(),
        expires_at: info.expires_at.filter(|&at| at > until),
        rate_per_minute: info.rate_per_minute,
    };
    info.expires_at = Some(info.expires_at.map_or(until, |at| at.min(until)));
    (StoredKey::from_info(info, old.sha256), new)
}

/// The record of a use at `at`, or `None` when the stored one is as recent.
pub(crate) fn touched(stored: StoredKey, at: i64) -> Option<StoredKey> {
    if stored.raw.last_used_at.is_some_and(|t| t >= at) {
        return None;
    }
    let mut info = stored.info();
    info.last_used_at = Some(at);
    Some(StoredKey::from_info(info, stored.sha256))
}

/// Compares `key` with every stored record in constant time each, so that
/// timing says nothing about which (if any) came close.
pub(crate) fn find(
    key: &str,
    stored: impl IntoIterator<Item = Result<StoredKey>>,
) -> Result<Option<KeyInfo>> {
    let digest = Sha256::digest(key.as_bytes());
    let mut found = None;
    for stored in stored {
        let stored = stored?;
        let Ok(hash) = hex::decode(&stored.sha256) else { continue };
        if bool::from(hash.as_slice().ct_eq(digest.as_slice())) {
            found = Some(stored.info());
        }
    }
    Ok(found)
}

impl KeyStore for Redb {
    fn create_key(&self, new: NewKey, now: i64) -> Result<(String, KeyInfo)> {
        check(&new)?;
        let txn = self.begin_write()?;
        let made = {
            let mut table = txn.open_table(KEYS)?;
            insert_key(&mut table, new, now, None)?
        };
        txn.commit()?;
        Ok(made)
    }

    fn rotate_key(&self, id: u64, now: i64, overlap_secs: i64) -> Result<Option<(String, KeyInfo)>> {
        let txn = self.begin_write()?;
        let made = {
            let mut table = txn.open_table(KEYS)?;
            let old = match table.get(id)? {
                Some(bytes) => decode::<StoredKey>("api_keys", bytes.value())?,
                None => return Ok(None),
            };
            let (old, new) = rotation(old, now, overlap_secs);
            table.insert(id, encode(&old).as_slice())?;
            insert_key(&mut table, new, now, Some(id))?
        };
        txn.commit()?;
        Ok(Some(made))
    }

    fn verify_key(&self, key: &str) -> Result<Option<KeyInfo>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(KEYS)?;
        let stored = table.iter()?.map(|entry| -> Result<StoredKey> {
            let (_, bytes) = entry?;
            decode("api_keys", bytes.value())
        });
        find(key, stored)
    }

    fn has_keys(&self) -> Result<bool> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(KEYS)?.first()?.is_some())
    }

    fn list_keys(&self) -> Result<Vec<KeyInfo>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(KEYS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (_, bytes) = entry?;
            out.push(decode::<StoredKey>("api_keys", bytes.value())?.info());
        }
        Ok(out)
    }

    fn touch_key(&self, id: u64, at: i64) -> Result<()> {
        let txn = self.begin_write()?;
        {
            let mut table = txn.open_table(KEYS)?;
            let stored = match table.get(id)? {
                Some(bytes) => decode::<StoredKey>("api_keys", bytes.value())?,
                None => return Ok(()),
            };
            let Some(stored) = touched(stored, at) else { return Ok(()) };
            table.insert(id, encode(&stored).as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    fn revoke_key(&self, id: u64) -> Result<bool> {
        let txn = self.begin_write()?;
        let existed = txn.open_table(KEYS)?.remove(id)?.is_some();
        txn.commit()?;
        Ok(existed)
    }
}

fn insert_key(
    table: &mut redb::Table<u64, &[u8]>,
    new: NewKey,
    now: i64,
    rotated_from: Option<u64>,
) -> Result<(String, KeyInfo)> {
    let id = table.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
    let (key, info, stored) = make_key(id, new, now, rotated_from)?;
    table.insert(id, encode(&stored).as_slice())?;
    Ok((key, info))
}

/// A fresh key numbered `id`: the key in plain text, its record, and what
/// the store keeps (its SHA-256, never the key).
pub(crate) fn make_key(
    id: u64,
    new: NewKey,
    now: i64,
    rotated_from: Option<u64>,
) -> Result<(String, KeyInfo, StoredKey)> {
    let key = fresh_key(&new.scopes)?;
    let mut scopes = new.scopes;
    scopes.sort();
    scopes.dedup();
    let info = KeyInfo {
        id,
        name: new.name,
        hint: key[..prefix(&scopes).len() + 4].to_string(),
        scopes,
        created_at: now,
        expires_at: new.expires_at,
        last_used_at: None,
        rate_per_minute: new.rate_per_minute,
        rotated_from,
    };
    let stored = StoredKey::from_info(info.clone(), hex::encode(Sha256::digest(key.as_bytes())));
    Ok((key, info, stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_made_before_scopes_read_as_their_role() {
        let old = r#"{"id":3,"role":"public","label":"storefront","created_at":1750000000,"hint":"lp_pub_ab12","sha256":"00"}"#;
        let stored: StoredKey = serde_json::from_str(old).unwrap();
        let info = stored.info();
        assert_eq!(info.name, "storefront");
        assert_eq!(info.scopes, Role::Public.scopes());
        assert_eq!((info.expires_at, info.last_used_at, info.rotated_from), (None, None, None));
        let again: StoredKey =
            serde_json::from_slice(&encode(&StoredKey::from_info(info.clone(), "00".into()))).unwrap();
        assert_eq!(again.info(), info, "a rewritten old key keeps what it could do");
    }
}
