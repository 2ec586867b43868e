//! `jetdesk backup` and `jetdesk restore`: one ZIP holding a consistent SQLite snapshot (`VACUUM
//! INTO`, which SQLite guarantees consistent while others write), the data dir's stored files and a
//! `manifest.json` with every table's row count and every file's SHA-256. A restore goes into an
//! empty data dir only and checks each file against the manifest before it is kept. PostgreSQL is
//! backed up with `pg_dump` (see docs/operations.md); [`backup`] refuses it.

use anyhow::{anyhow, bail, Context};
use jetdesk_store::{Backend, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use zip::write::SimpleFileOptions;

/// The database file's name in the data dir and in the archive.
pub const DATABASE_FILE: &str = "jetdesk.sqlite3";

/// What a backup holds, written as `manifest.json` at the archive's root.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest's format version.
    pub format: u32,
    /// When the snapshot was taken (Unix seconds).
    pub created_at: i64,
    /// Every table's row count in the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// Every file in the archive (the database and the stored files), by its path in the data dir.
    pub files: Vec<ManifestFile>,
}

/// One file of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its path relative to the data dir, with `/` separators.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every regular file under `dir`, as (path relative to `base` with `/`, absolute path).
fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(anyhow!("reading {}: {e}", dir.display())),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(base, &path, out)?;
        } else if kind.is_file() {
            let rel = path.strip_prefix(base)?;
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((parts.join("/"), path));
        }
    }
    Ok(())
}

/// Backs up the SQLite database behind `store` and the stored files of `data_dir` into the ZIP
/// `to`, safe while the server keeps writing. Returns the manifest it wrote.
pub async fn backup(store: &Store, data_dir: &Path, to: &Path) -> anyhow::Result<Manifest> {
    if store.backend() == Backend::Postgres {
        bail!(
            "jetdesk backup takes SQLite snapshots only. For PostgreSQL, follow the pg_dump procedure \
             in docs/operations.md (pg_dump -Fc, then copy the data dir's files/ folder)"
        );
    }
    if to.exists() {
        bail!("{} exists already; choose a new file name", to.display());
    }
    let snapshot = to.with_extension("snapshot-in-progress.sqlite3");
    let _ = std::fs::remove_file(&snapshot);
    let created_at = jetdesk_store::now();
    let snapshot_str = snapshot
        .to_str()
        .ok_or_else(|| anyhow!("the backup path is not UTF-8"))?;
    store
        .snapshot_into(snapshot_str)
        .await
        .context("taking the SQLite snapshot")?;
    let result = write_archive(data_dir, to, &snapshot, created_at).await;
    let _ = std::fs::remove_file(&snapshot);
    if result.is_err() {
        let _ = std::fs::remove_file(to);
    }
    result
}

async fn write_archive(
    data_dir: &Path,
    to: &Path,
    snapshot: &Path,
    created_at: i64,
) -> anyhow::Result<Manifest> {
    let tables = count_tables(snapshot).await?;
    let db_bytes = std::fs::read(snapshot)?;
    let mut files = vec![ManifestFile {
        path: DATABASE_FILE.to_string(),
        bytes: db_bytes.len() as u64,
        sha256: sha256_hex(&db_bytes),
    }];
    let out = std::fs::File::create(to).with_context(|| format!("creating {}", to.display()))?;
    let mut zip = zip::ZipWriter::new(out);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file(DATABASE_FILE, options)?;
    zip.write_all(&db_bytes)?;
    drop(db_bytes);
    let mut stored = Vec::new();
    walk(data_dir, &data_dir.join("files"), &mut stored)?;
    stored.sort();
    for (rel, path) in stored {
        // A file deleted since the snapshot was one the snapshot no longer needed (content is
        // written before its row and deleted after it): leave it out.
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(anyhow!("reading {}: {e}", path.display())),
        };
        zip.start_file(rel.as_str(), options)?;
        zip.write_all(&bytes)?;
        files.push(ManifestFile {
            path: rel,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        });
    }
    let manifest = Manifest {
        format: 1,
        created_at,
        tables,
        files,
    };
    zip.start_file("manifest.json", options)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    zip.finish()?.sync_all()?;
    Ok(manifest)
}

/// Row counts of every table in the SQLite file at `path`.
async fn count_tables(path: &Path) -> anyhow::Result<BTreeMap<String, i64>> {
    let url = format!("sqlite://{}", path.display());
    let db = Store::connect(&url).await?;
    let counts = db.table_counts().await;
    db.close().await;
    Ok(counts?.into_iter().collect())
}

/// Whether `rel` is a plain relative path (no `..`, no root) safe to join to the data dir.
fn plain_relative(rel: &str) -> bool {
    let path = Path::new(rel);
    !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Restores the backup `from` into `data_dir`, which must be empty or missing. Every file is checked
/// against the manifest's SHA-256 and the database's row counts against its counts; on any
/// mismatch nothing is left behind.
pub async fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<Manifest> {
    if let Ok(mut entries) = std::fs::read_dir(data_dir) {
        if entries.next().is_some() {
            bail!(
                "{} is not empty: restore only into an empty data dir",
                data_dir.display()
            );
        }
    }
    std::fs::create_dir_all(data_dir)?;
    let result = restore_into(from, data_dir).await;
    if result.is_err() {
        // The dir was empty before: leave it so.
        if let Ok(entries) = std::fs::read_dir(data_dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
            }
        }
    }
    result
}

async fn restore_into(from: &Path, data_dir: &Path) -> anyhow::Result<Manifest> {
    let file = std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let mut zip = zip::ZipArchive::new(file).context("reading the backup archive")?;
    let manifest: Manifest = {
        let mut entry = zip
            .by_name("manifest.json")
            .context("the backup has no manifest.json")?;
        let mut text = Vec::new();
        entry.read_to_end(&mut text)?;
        serde_json::from_slice(&text).context("reading manifest.json")?
    };
    if zip.len() != manifest.files.len() + 1 {
        bail!(
            "the archive holds {} files but its manifest lists {}",
            zip.len().saturating_sub(1),
            manifest.files.len()
        );
    }
    for f in &manifest.files {
        if !plain_relative(&f.path) {
            bail!("the manifest names an unsafe path {:?}", f.path);
        }
        let mut entry = zip
            .by_name(&f.path)
            .with_context(|| format!("{} is in the manifest but not in the archive", f.path))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if sha256_hex(&bytes) != f.sha256 || bytes.len() as u64 != f.bytes {
            bail!("{} does not match its checksum in the manifest", f.path);
        }
        let target = data_dir.join(&f.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, &bytes)?;
    }
    let counts = count_tables(&data_dir.join(DATABASE_FILE)).await?;
    if counts != manifest.tables {
        bail!("the restored database's row counts differ from the manifest's");
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::plain_relative;

    #[test]
    fn a_manifest_cannot_write_outside_the_data_dir() {
        assert!(plain_relative("files/ab/abcdef"));
        assert!(!plain_relative("../etc/passwd"));
        assert!(!plain_relative("/etc/passwd"));
        assert!(!plain_relative(""));
    }
}
