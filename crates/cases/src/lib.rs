//! # webproof-cases
//!
//! The desktop app's local case store: each case is a matter with its parties and notes, and
//! the evidence packages made for it (captures of web pages and sealed local files). The store
//! is one redb file (the evidence log's storage engine: ACID, copy-on-write, checksummed; each
//! change is one durable transaction), so a crash or a killed app loses nothing committed. The
//! packages themselves stay ordinary files; the store only remembers where they are and what
//! their last verification said.
//!
//! Records are JSON with a version field, read with serde defaults, so a newer webproof reads
//! an older store.

use std::path::Path;

use redb::{ReadableDatabase as _, ReadableTable as _, TableDefinition};
use serde::{Deserialize, Serialize};
use webproof_evidence::utc::Utc;

const CASES: TableDefinition<&str, &[u8]> = TableDefinition::new("cases");

/// Format version of the records this code writes.
pub const RECORD_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    #[error("the case store: {0}")]
    Store(String),
    #[error("no case {0}")]
    NoCase(String),
    #[error("case {case} has no package {package}")]
    NoPackage { case: String, package: String },
    #[error("a case needs a matter name")]
    NoMatter,
    #[error("case record {id} is damaged: {reason}")]
    Damaged { id: String, reason: String },
}

fn store_err(e: impl std::fmt::Display) -> CaseError {
    CaseError::Store(e.to_string())
}

/// What a package was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// `webproof capture`: a browser session.
    Capture,
    /// `webproof seal`: local files.
    Seal,
}

/// Where a package stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum PackageStatus {
    /// Being captured or sealed now (or the app stopped before it ended: see the capture
    /// directory).
    Running,
    /// Sealed and written.
    Sealed,
    /// Sealed after the session stopped early (the package says why).
    Interrupted,
    /// Nothing was written (the reason is in `detail`).
    Failed,
}

/// One evidence package of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PackageRef {
    pub id: String,
    pub kind: PackageKind,
    /// The package file (.wacz).
    pub path: String,
    /// The captured URL, or the sealed files' names.
    pub target: String,
    pub started: String,
    pub status: PackageStatus,
    /// The final chain head (SHA-256 hex), once sealed.
    #[serde(default)]
    pub head: Option<String>,
    /// The last verification's overall verdict (PASS, UNTRUSTED, FAIL) and when.
    #[serde(default)]
    pub verdict: Option<String>,
    #[serde(default)]
    pub verified: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

/// A case: one matter and what was captured for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Case {
    #[serde(default = "record_version")]
    pub v: u32,
    pub id: String,
    pub matter: String,
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default)]
    pub notes: String,
    pub created: String,
    pub updated: String,
    #[serde(default)]
    pub packages: Vec<PackageRef>,
    /// The watches (docs/watch.md, their ids) started for this case in the app.
    #[serde(default)]
    pub watches: Vec<String>,
}

fn record_version() -> u32 {
    RECORD_VERSION
}

/// What the operator types for a new case, or an edit of one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseFields {
    pub matter: String,
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// A change to a package's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageUpdate {
    pub status: Option<PackageStatus>,
    pub head: Option<String>,
    pub verdict: Option<String>,
    pub detail: Option<String>,
}

impl Case {
    /// Does the case mention `query` (case-insensitive) in its matter, parties, notes, package
    /// targets or paths, or is `query` a prefix of its id?
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let has = |s: &str| s.to_lowercase().contains(&q);
        self.id.starts_with(&q)
            || has(&self.matter)
            || self.parties.iter().any(|p| has(p))
            || has(&self.notes)
            || self
                .packages
                .iter()
                .any(|p| has(&p.target) || has(&p.path) || p.head.as_deref().is_some_and(has))
    }
}

impl PackageRef {
    /// A new package of a case, started now, under a fresh id.
    fn new(
        kind: PackageKind,
        path: &str,
        target: &str,
        status: PackageStatus,
        detail: Option<String>,
    ) -> Self {
        PackageRef {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            path: path.to_owned(),
            target: target.to_owned(),
            started: Utc::now().to_string(),
            status,
            head: None,
            verdict: None,
            verified: None,
            detail,
        }
    }
}

/// The store: one redb file.
pub struct CaseStore {
    db: redb::Database,
}

impl CaseStore {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, CaseError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(store_err)?;
        }
        let db = redb::Database::create(path).map_err(store_err)?;
        let tx = db.begin_write().map_err(store_err)?;
        tx.open_table(CASES).map_err(store_err)?;
        tx.commit().map_err(store_err)?;
        Ok(CaseStore { db })
    }

    /// A new case, durable when this returns.
    pub fn create(&self, fields: CaseFields) -> Result<Case, CaseError> {
        let fields = clean(fields)?;
        let now = Utc::now().to_string();
        let case = Case {
            v: RECORD_VERSION,
            id: uuid::Uuid::new_v4().to_string(),
            matter: fields.matter,
            parties: fields.parties,
            notes: fields.notes,
            created: now.clone(),
            updated: now,
            packages: Vec::new(),
            watches: Vec::new(),
        };
        self.put(&case)?;
        Ok(case)
    }

    pub fn get(&self, id: &str) -> Result<Case, CaseError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(CASES).map_err(store_err)?;
        let v = t
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| CaseError::NoCase(id.to_owned()))?;
        decode(id, v.value())
    }

    /// Cases matching `query` (all when empty), most recently changed first.
    pub fn list(&self, query: &str) -> Result<Vec<Case>, CaseError> {
        let tx = self.db.begin_read().map_err(store_err)?;
        let t = tx.open_table(CASES).map_err(store_err)?;
        let mut out = Vec::new();
        for row in t.iter().map_err(store_err)? {
            let (k, v) = row.map_err(store_err)?;
            let case = decode(k.value(), v.value())?;
            if case.matches(query) {
                out.push(case);
            }
        }
        out.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Changes a case's matter, parties and notes.
    pub fn edit(&self, id: &str, fields: CaseFields) -> Result<Case, CaseError> {
        let fields = clean(fields)?;
        self.change(id, |c| {
            c.matter = fields.matter;
            c.parties = fields.parties;
            c.notes = fields.notes;
            Ok(())
        })
    }

    /// Adds a package to a case (a capture or seal about to start, or a package file the
    /// operator brings in).
    pub fn add_package(
        &self,
        case: &str,
        kind: PackageKind,
        path: &str,
        target: &str,
        status: PackageStatus,
    ) -> Result<(Case, String), CaseError> {
        let p = PackageRef::new(kind, path, target, status, None);
        let pid = p.id.clone();
        let c = self.change(case, |c| {
            c.packages.push(p);
            Ok(())
        })?;
        Ok((c, pid))
    }

    /// Adds a package made elsewhere (by a watch's timer, say) unless the case holds one at
    /// `path` already; whether it was added. Checked and added in one transaction, so two
    /// callers never add the same file twice.
    pub fn add_package_once(
        &self,
        case: &str,
        path: &str,
        target: &str,
        status: PackageStatus,
        detail: Option<String>,
    ) -> Result<bool, CaseError> {
        let mut added = false;
        self.change(case, |c| {
            if c.packages.iter().any(|p| p.path == path) {
                return Ok(());
            }
            c.packages.push(PackageRef::new(
                PackageKind::Capture,
                path,
                target,
                status,
                detail,
            ));
            added = true;
            Ok(())
        })?;
        Ok(added)
    }

    /// Records that the case watches `watch` (a watch's id, started for it in the app);
    /// whether it was new. A case that holds it already is not written to.
    pub fn add_watch(&self, case: &str, watch: &str) -> Result<bool, CaseError> {
        if self.get(case)?.watches.iter().any(|w| w == watch) {
            return Ok(false);
        }
        let mut added = false;
        self.change(case, |c| {
            if !c.watches.iter().any(|w| w == watch) {
                c.watches.push(watch.to_owned());
                added = true;
            }
            Ok(())
        })?;
        Ok(added)
    }

    /// Records what happened to a package (sealed, interrupted, failed, verified).
    pub fn update_package(
        &self,
        case: &str,
        package: &str,
        u: PackageUpdate,
    ) -> Result<Case, CaseError> {
        self.change(case, |c| {
            let p = c
                .packages
                .iter_mut()
                .find(|p| p.id == package)
                .ok_or_else(|| CaseError::NoPackage {
                    case: case.to_owned(),
                    package: package.to_owned(),
                })?;
            if let Some(s) = u.status {
                p.status = s;
            }
            if u.head.is_some() {
                p.head = u.head;
            }
            if u.verdict.is_some() {
                p.verdict = u.verdict;
                p.verified = Some(Utc::now().to_string());
            }
            if u.detail.is_some() {
                p.detail = u.detail;
            }
            Ok(())
        })
    }

    /// Settles packages left `Running` by an app that stopped during a capture (the engine
    /// process goes on without the window and seals when its input closes): a package file
    /// that now exists is `Sealed` (not yet verified); one that does not keep `Running` with
    /// `detail` saying where to look. Returns how many changed.
    pub fn settle_running(&self, detail: &str) -> Result<usize, CaseError> {
        let mut n = 0;
        for case in self.list("")? {
            for p in case
                .packages
                .iter()
                .filter(|p| p.status == PackageStatus::Running)
            {
                let u = if Path::new(&p.path).is_file() {
                    PackageUpdate {
                        status: Some(PackageStatus::Sealed),
                        ..Default::default()
                    }
                } else if p.detail.as_deref() != Some(detail) {
                    PackageUpdate {
                        detail: Some(detail.to_owned()),
                        ..Default::default()
                    }
                } else {
                    continue;
                };
                self.update_package(&case.id, &p.id, u)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Read, change and write one case in one write transaction (so two windows or a crash
    /// never interleave half a change).
    fn change(
        &self,
        id: &str,
        f: impl FnOnce(&mut Case) -> Result<(), CaseError>,
    ) -> Result<Case, CaseError> {
        let tx = self.db.begin_write().map_err(store_err)?;
        let case = {
            let mut t = tx.open_table(CASES).map_err(store_err)?;
            let mut case = {
                let v = t
                    .get(id)
                    .map_err(store_err)?
                    .ok_or_else(|| CaseError::NoCase(id.to_owned()))?;
                decode(id, v.value())?
            };
            f(&mut case)?;
            case.updated = Utc::now().to_string();
            let bytes = serde_json::to_vec(&case).map_err(store_err)?;
            t.insert(id, bytes.as_slice()).map_err(store_err)?;
            case
        };
        tx.commit().map_err(store_err)?;
        Ok(case)
    }

    fn put(&self, case: &Case) -> Result<(), CaseError> {
        let bytes = serde_json::to_vec(case).map_err(store_err)?;
        let tx = self.db.begin_write().map_err(store_err)?;
        {
            let mut t = tx.open_table(CASES).map_err(store_err)?;
            t.insert(case.id.as_str(), bytes.as_slice())
                .map_err(store_err)?;
        }
        tx.commit().map_err(store_err)
    }
}

fn decode(id: &str, bytes: &[u8]) -> Result<Case, CaseError> {
    serde_json::from_slice(bytes).map_err(|e| CaseError::Damaged {
        id: id.to_owned(),
        reason: e.to_string(),
    })
}

fn clean(f: CaseFields) -> Result<CaseFields, CaseError> {
    let matter = f.matter.trim().to_owned();
    if matter.is_empty() {
        return Err(CaseError::NoMatter);
    }
    Ok(CaseFields {
        matter,
        parties: f
            .parties
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        notes: f.notes.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(m: &str) -> CaseFields {
        CaseFields {
            matter: m.into(),
            parties: vec![
                " 杭州某某科技有限公司 ".into(),
                "".into(),
                "Example Shop Ltd".into(),
            ],
            notes: "pirated product photos".into(),
        }
    }

    #[test]
    fn create_get_edit_survive_reopen() -> Result<(), CaseError> {
        let d = tempfile::tempdir().map_err(store_err)?;
        let path = d.path().join("cases.redb");
        let id = {
            let s = CaseStore::open(&path)?;
            let c = s.create(fields("(2026) 浙0192民初1号"))?;
            assert_eq!(c.parties, vec!["杭州某某科技有限公司", "Example Shop Ltd"]);
            let (_, pid) = s.add_package(
                &c.id,
                PackageKind::Capture,
                "/tmp/x.wacz",
                "http://127.0.0.1/shop",
                PackageStatus::Running,
            )?;
            s.update_package(
                &c.id,
                &pid,
                PackageUpdate {
                    status: Some(PackageStatus::Sealed),
                    head: Some("ab".repeat(32)),
                    verdict: Some("PASS".into()),
                    detail: None,
                },
            )?;
            c.id
        };
        let s = CaseStore::open(&path)?;
        let c = s.get(&id)?;
        assert_eq!(c.matter, "(2026) 浙0192民初1号");
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.packages[0].status, PackageStatus::Sealed);
        assert_eq!(c.packages[0].verdict.as_deref(), Some("PASS"));
        assert!(c.packages[0].verified.is_some());
        let e = s.edit(
            &id,
            CaseFields {
                matter: "renamed".into(),
                parties: vec![],
                notes: String::new(),
            },
        )?;
        assert_eq!(e.matter, "renamed");
        assert_eq!(e.packages.len(), 1, "an edit keeps the packages");
        Ok(())
    }

    #[test]
    fn a_package_made_elsewhere_joins_once() -> Result<(), CaseError> {
        let d = tempfile::tempdir().map_err(store_err)?;
        let s = CaseStore::open(&d.path().join("c.redb"))?;
        let c = s.create(fields("Watched listing"))?;
        let add = |detail: Option<&str>| {
            s.add_package_once(
                &c.id,
                "/w/0001.wacz",
                "https://shop.example/item/42",
                PackageStatus::Sealed,
                detail.map(str::to_owned),
            )
        };
        assert!(add(Some("present"))?);
        assert!(!add(Some("again"))?, "the same file is not added twice");
        assert!(s.add_package_once(
            &c.id,
            "/w/0002.wacz",
            "https://shop.example/item/42",
            PackageStatus::Failed,
            None,
        )?);
        let c = s.get(&c.id)?;
        assert_eq!(c.packages.len(), 2);
        assert_eq!(c.packages[0].detail.as_deref(), Some("present"));
        assert_eq!(c.packages[0].kind, PackageKind::Capture);
        assert_eq!(c.packages[1].status, PackageStatus::Failed);
        assert!(matches!(
            s.add_package_once("nope", "/w/1.wacz", "", PackageStatus::Sealed, None),
            Err(CaseError::NoCase(_))
        ));
        Ok(())
    }

    #[test]
    fn a_case_knows_its_watches_once() -> Result<(), CaseError> {
        let d = tempfile::tempdir().map_err(store_err)?;
        let s = CaseStore::open(&d.path().join("c.redb"))?;
        let c = s.create(fields("Watched listing"))?;
        let twin = s.create(fields("Watched listing"))?;
        assert!(s.add_watch(&c.id, "shop.example-1a2b3c4d")?);
        let updated = s.get(&c.id)?.updated;
        assert!(!s.add_watch(&c.id, "shop.example-1a2b3c4d")?);
        assert_eq!(
            s.get(&c.id)?.updated,
            updated,
            "nothing written the second time"
        );
        assert!(s.add_watch(&c.id, "shop.example-99999999")?);
        assert_eq!(
            s.get(&c.id)?.watches,
            ["shop.example-1a2b3c4d", "shop.example-99999999"]
        );
        assert!(
            s.get(&twin.id)?.watches.is_empty(),
            "a case of the same matter"
        );
        assert!(matches!(
            s.add_watch("nope", "w"),
            Err(CaseError::NoCase(_))
        ));
        Ok(())
    }

    #[test]
    fn search_finds_by_any_field_and_orders_newest_first() -> Result<(), CaseError> {
        let d = tempfile::tempdir().map_err(store_err)?;
        let s = CaseStore::open(&d.path().join("c.redb"))?;
        let a = s.create(fields("Alpha photos"))?;
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = s.create(CaseFields {
            matter: "Beta article".into(),
            parties: vec!["Gamma News".into()],
            notes: String::new(),
        })?;
        s.add_package(
            &a.id,
            PackageKind::Capture,
            "/x/a.wacz",
            "https://shop.example/item/42",
            PackageStatus::Running,
        )?;
        let all = s.list("")?;
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].id, a.id, "the case changed last comes first");
        assert_eq!(s.list("gamma")?.len(), 1);
        assert_eq!(s.list("gamma")?[0].id, b.id);
        assert_eq!(s.list("ITEM/42")?[0].id, a.id);
        assert_eq!(s.list("某某科技")?[0].id, a.id);
        assert!(s.list("nothing like this")?.is_empty());
        Ok(())
    }

    #[test]
    fn running_packages_are_settled_after_a_stop() -> Result<(), CaseError> {
        let d = tempfile::tempdir().map_err(store_err)?;
        let s = CaseStore::open(&d.path().join("c.redb"))?;
        let c = s.create(fields("m"))?;
        let done = d.path().join("done.wacz");
        std::fs::write(&done, b"PK").map_err(store_err)?;
        let (_, a) = s.add_package(
            &c.id,
            PackageKind::Capture,
            &done.display().to_string(),
            "u",
            PackageStatus::Running,
        )?;
        let (_, b) = s.add_package(
            &c.id,
            PackageKind::Capture,
            "/nonexistent/x.wacz",
            "u",
            PackageStatus::Running,
        )?;
        assert_eq!(s.settle_running("see captures list")?, 2);
        assert_eq!(
            s.settle_running("see captures list")?,
            0,
            "settling twice changes nothing"
        );
        let c = s.get(&c.id)?;
        let get = |id: &str| c.packages.iter().find(|p| p.id == id).cloned();
        assert_eq!(get(&a).map(|p| p.status), Some(PackageStatus::Sealed));
        let b = get(&b).ok_or_else(|| store_err("b"))?;
        assert_eq!(b.status, PackageStatus::Running);
        assert_eq!(b.detail.as_deref(), Some("see captures list"));
        Ok(())
    }

    /// Crash safety: a writer killed with SIGKILL while it creates cases loses none it had
    /// reported as created (each `create` is one durable redb transaction).
    #[test]
    fn a_killed_writer_loses_nothing_it_acknowledged() -> Result<(), Box<dyn std::error::Error>> {
        use std::io::{BufRead, Write};
        const CHILD: &str = "WEBPROOF_CASES_KILL_CHILD";
        if let Some(path) = std::env::var_os(CHILD) {
            // The child: create cases until killed, saying each one's id once durable.
            let s = CaseStore::open(std::path::Path::new(&path))?;
            let mut out = std::io::stdout().lock();
            for i in 0.. {
                let c = s.create(fields(&format!("case {i}")))?;
                writeln!(out, "created {}", c.id)?;
                out.flush()?;
            }
            return Ok(());
        }
        let d = tempfile::tempdir()?;
        let path = d.path().join("cases.redb");
        for round in 0..3 {
            let mut child = std::process::Command::new(std::env::current_exe()?)
                .args([
                    "--exact",
                    "tests::a_killed_writer_loses_nothing_it_acknowledged",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, &path)
                .stdout(std::process::Stdio::piped())
                .spawn()?;
            let out = child.stdout.take().ok_or("no stdout")?;
            let mut acked = Vec::new();
            for line in std::io::BufReader::new(out).lines() {
                if let Some(id) = line?.strip_prefix("created ") {
                    acked.push(id.to_owned());
                    if acked.len() >= 40 + round * 17 {
                        break;
                    }
                }
            }
            child.kill()?;
            child.wait()?;
            let s = CaseStore::open(&path)?;
            for id in &acked {
                assert!(
                    s.get(id).is_ok(),
                    "round {round}: acknowledged case {id} lost"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn errors_are_typed() -> Result<(), CaseError> {
        let d = tempfile::tempdir().map_err(store_err)?;
        let s = CaseStore::open(&d.path().join("c.redb"))?;
        assert!(matches!(
            s.create(CaseFields::default()),
            Err(CaseError::NoMatter)
        ));
        assert!(matches!(s.get("nope"), Err(CaseError::NoCase(_))));
        let c = s.create(fields("m"))?;
        assert!(matches!(
            s.update_package(&c.id, "nope", PackageUpdate::default()),
            Err(CaseError::NoPackage { .. })
        ));
        Ok(())
    }

    #[test]
    fn older_records_read_with_defaults() -> Result<(), CaseError> {
        // A record as a first version might have written it: no parties, notes, packages.
        let old = br#"{"id":"x","matter":"m","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}"#;
        let c = decode("x", old)?;
        assert_eq!(c.v, RECORD_VERSION);
        assert!(c.parties.is_empty() && c.packages.is_empty());
        assert!(matches!(
            decode("y", b"{not json"),
            Err(CaseError::Damaged { .. })
        ));
        Ok(())
    }
}
