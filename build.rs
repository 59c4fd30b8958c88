//! `sqlx::migrate!` embeds the migration files at compile time; this makes
//! Cargo build again when one is added or changed (a new migration with no
//! other change would otherwise be missed by an incremental build).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations_postgres");
}
