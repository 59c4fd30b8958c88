//! Receipts (see `domain::receipt`): the rows here, and the files they
//! name on disk ([`ReceiptFiles`]).
//!
//! A file is written (to a temporary name, synced, renamed) before its row
//! is committed, and removed only after the row that named it is gone, so
//! a row always has its file; a crash in between leaves at most a file
//! without a row, which goes with its hold's folder after departure.

use std::path::{Path, PathBuf};

use sqlx::{FromRow, QueryBuilder};

use super::{Connection, DbResult};

#[derive(Clone, Debug, FromRow)]
pub struct ReceiptRow {
    pub id: i64,
    pub hold_id: i64,
    pub sha256: String,
    pub kind: String,
    pub bytes: i64,
    pub uploaded_at: i64,
}

const COLUMNS: &str = "id, hold_id, sha256, kind, bytes, uploaded_at";

pub async fn insert_receipt(
    conn: &mut impl Connection,
    hold_id: i64,
    sha256: &str,
    kind: &str,
    bytes: i64,
    now_ms: i64,
) -> DbResult<i64> {
    on!(conn, |conn| {
        sqlx::query_scalar(
            "INSERT INTO receipts (hold_id, sha256, kind, bytes, uploaded_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(hold_id)
        .bind(sha256)
        .bind(kind)
        .bind(bytes)
        .bind(now_ms)
        .fetch_one(conn)
        .await
    })
}

/// Deletes the hold's receipts but its newest `keep`; returns the deleted
/// rows whose file no remaining receipt of the hold names (the files to
/// remove).
pub async fn trim_receipts(
    conn: &mut impl Connection,
    hold_id: i64,
    keep: i64,
) -> DbResult<Vec<ReceiptRow>> {
    let deleted: Vec<ReceiptRow> = on!(conn, |conn| {
        sqlx::query_as(&format!(
            "DELETE FROM receipts WHERE hold_id = $1 AND id NOT IN
               (SELECT id FROM receipts WHERE hold_id = $1 ORDER BY id DESC LIMIT $2)
             RETURNING {COLUMNS}"
        ))
        .bind(hold_id)
        .bind(keep)
        .fetch_all(conn)
        .await
    })?;
    if deleted.is_empty() {
        return Ok(deleted);
    }
    let kept = receipts_of_holds(conn, &[hold_id]).await?;
    Ok(deleted
        .into_iter()
        .filter(|d| !kept.iter().any(|k| k.sha256 == d.sha256))
        .collect())
}

/// The receipts of these holds, oldest first.
pub async fn receipts_of_holds(
    conn: &mut impl Connection,
    hold_ids: &[i64],
) -> DbResult<Vec<ReceiptRow>> {
    if hold_ids.is_empty() {
        return Ok(Vec::new());
    }
    on!(conn, |conn| {
        let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM receipts WHERE hold_id IN ("));
        let mut list = q.separated(", ");
        for id in hold_ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY id");
        q.build_query_as().fetch_all(conn).await
    })
}

pub async fn receipt_by_id(conn: &mut impl Connection, id: i64) -> DbResult<Option<ReceiptRow>> {
    on!(conn, |conn| {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM receipts WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await
    })
}

/// Deletes the receipts of holds whose trip departed before `before_ms`;
/// returns how many.
pub async fn delete_receipts_departed_before(
    conn: &mut impl Connection,
    before_ms: i64,
) -> DbResult<u64> {
    on!(conn, |conn| {
        sqlx::query(
            "DELETE FROM receipts WHERE hold_id IN
               (SELECT h.id FROM holds h JOIN trips t ON t.id = h.trip_id
                WHERE t.depart_at < $1)",
        )
        .bind(before_ms)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })
}

/// Which of these holds are of trips that departed before `before_ms`, or
/// are no hold at all.
pub async fn holds_departed_before(
    conn: &mut impl Connection,
    hold_ids: &[i64],
    before_ms: i64,
) -> DbResult<Vec<i64>> {
    if hold_ids.is_empty() {
        return Ok(Vec::new());
    }
    let live: Vec<i64> = on!(conn, |conn| {
        let mut q = QueryBuilder::new(
            "SELECT h.id FROM holds h JOIN trips t ON t.id = h.trip_id WHERE t.depart_at >= ",
        );
        q.push_bind(before_ms);
        q.push(" AND h.id IN (");
        let mut list = q.separated(", ");
        for id in hold_ids {
            list.push_bind(*id);
        }
        q.push(")");
        q.build_query_scalar().fetch_all(conn).await
    })?;
    Ok(hold_ids
        .iter()
        .copied()
        .filter(|id| !live.contains(id))
        .collect())
}

/// Where receipt files live: `<dir>/<hold id>/<sha256>.<ext>`, outside the
/// web root (nothing serves this folder; admins get a file through an
/// authenticated route that finds it by its row). Several instances of
/// Kursi share it as they share the database (the same folder on one
/// machine, a shared volume across machines).
#[derive(Clone, Debug)]
pub struct ReceiptFiles {
    dir: PathBuf,
}

impl ReceiptFiles {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of a hold's file. The name is built only from the hold's
    /// id and a hex digest checked by the caller and the database, never
    /// from anything a passenger typed.
    pub fn path(&self, hold_id: i64, sha256: &str, extension: &str) -> PathBuf {
        self.dir
            .join(hold_id.to_string())
            .join(format!("{sha256}.{extension}"))
    }

    /// Writes a file durably: to a temporary name in the same folder,
    /// synced, then renamed into place (a reader never sees half a file),
    /// and the folder synced so the rename survives a power cut.
    pub async fn put(
        &self,
        hold_id: i64,
        sha256: &str,
        extension: &str,
        bytes: Vec<u8>,
    ) -> std::io::Result<()> {
        let target = self.path(hold_id, sha256, extension);
        tokio::task::spawn_blocking(move || {
            let folder = target.parent().expect("a receipt path has a folder");
            std::fs::create_dir_all(folder)?;
            let temp = folder.join(format!(".{}.tmp", rand::random::<u64>()));
            let written = (|| {
                use std::io::Write;
                let mut f = std::fs::File::create(&temp)?;
                f.write_all(&bytes)?;
                f.sync_all()?;
                std::fs::rename(&temp, &target)?;
                std::fs::File::open(folder)?.sync_all()
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
            written
        })
        .await
        .map_err(std::io::Error::other)?
    }

    pub async fn read(
        &self,
        hold_id: i64,
        sha256: &str,
        extension: &str,
    ) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(hold_id, sha256, extension)).await
    }

    /// Removes one file; one already gone is fine.
    pub async fn remove(&self, hold_id: i64, sha256: &str, extension: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(hold_id, sha256, extension)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The holds that have a folder here.
    pub async fn holds(&self) -> std::io::Result<Vec<i64>> {
        let mut out = Vec::new();
        let mut entries = match tokio::fs::read_dir(&self.dir).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            other => other?,
        };
        while let Some(entry) = entries.next_entry().await? {
            if let Some(id) = entry.file_name().to_str().and_then(|n| n.parse().ok()) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Removes a hold's folder and every file in it.
    pub async fn remove_hold(&self, hold_id: i64) -> std::io::Result<()> {
        match tokio::fs::remove_dir_all(self.dir.join(hold_id.to_string())).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
