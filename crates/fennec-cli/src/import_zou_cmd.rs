//! The `import-zou` command: arguments, progress bars, preview files and
//! the summary; the copy itself is `import_zou.rs`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use crate::import_zou::{self, Options, Summary};
use crate::table_copy::{self, Bars};

#[derive(Args, Debug)]
pub struct ImportZouArgs {
    /// Zou's PostgreSQL database, read only: postgres://USER@HOST:PORT/DB.
    #[arg(long = "from", value_name = "URL")]
    from: String,
    /// Zou's preview folder (its PREVIEW_FOLDER, holding `pictures`,
    /// `movies` and `files`), copied into Fennec's media folder.
    #[arg(long, value_name = "DIR")]
    previews: Option<PathBuf>,
    /// Fennec's media folder for the preview files (default: `fennec-media`
    /// beside the SQLite file, `./fennec-media` for PostgreSQL).
    #[arg(long, env = "FENNEC_MEDIA_DIR", value_name = "DIR")]
    media_dir: Option<PathBuf>,
    /// The Fennec database to fill: `sqlite://FILE` or `postgres://…`
    /// (created and migrated when missing; it must hold no data).
    #[arg(
        long = "database",
        alias = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://fennec.db"
    )]
    database: String,
    /// Add Zou's rows to a target that already holds data; rows whose key
    /// is taken are skipped (and counted).
    #[arg(long)]
    merge: bool,
}

pub async fn run(args: ImportZouArgs) -> anyhow::Result<()> {
    let mut src = import_zou::open_source(&args.from).await?;
    let db = fennec_store::Db::connect(&args.database)
        .await
        .context("opening the Fennec database")?;
    db.migrate().await?;
    // Files first: they are keyed by id, so a failed import leaves only
    // files nothing points at, and a second run writes them again.
    let files = match &args.previews {
        Some(dir) => {
            let to = args
                .media_dir
                .clone()
                .unwrap_or_else(|| default_media_dir(&args.database));
            Some((copy_tree(dir, &to)?, to))
        }
        None => None,
    };
    let mut bars = Bars::new("imported");
    let summary = import_zou::run(&mut src, &db, &Options { merge: args.merge }, &mut bars).await?;
    db.close().await;
    print_summary(&summary);
    if let Some((n, to)) = files {
        println!("preview files: {n} copied into {}", to.display());
    } else {
        println!("preview files: not copied (no --previews folder given)");
    }
    Ok(())
}

fn print_summary(s: &Summary) {
    println!(
        "Zou database (migration {}) imported:",
        s.zou_version.as_deref().unwrap_or("unknown")
    );
    for t in &s.tables {
        let extra = if t.read != t.written {
            format!(" ({} skipped: key already taken)", t.read - t.written)
        } else {
            String::new()
        };
        println!(
            "  {:<52} {:>8} rows (from {}){extra}",
            t.target, t.written, t.source
        );
    }
    println!("{}", table_copy::rate_line(&s.tables, s.elapsed));
    let kept: Vec<_> = s.skipped_tables.iter().filter(|t| t.1 > 0).collect();
    println!("Not imported (Fennec does not model them):");
    if kept.is_empty() && s.skipped_columns.iter().all(|c| c.2 == 0) {
        println!("  nothing");
    }
    for (t, n, why) in &kept {
        println!("  table {t}: {n} rows: {why}");
    }
    for (t, c, n) in s.skipped_columns.iter().filter(|c| c.2 > 0) {
        println!("  column {t}.{c}: {n} rows hold a value: not modelled by Fennec");
    }
    for note in &s.notes {
        println!("note: {note}");
    }
}

/// Mirrors `fennec serve`'s default: `fennec-media` beside the SQLite file.
fn default_media_dir(database: &str) -> PathBuf {
    let Some(rest) = database.strip_prefix("sqlite:") else {
        return PathBuf::from("fennec-media");
    };
    let file = rest
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or("");
    match Path::new(file).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("fennec-media"),
        _ => PathBuf::from("fennec-media"),
    }
}

/// Zou's local storage and Fennec's use the same layout
/// (`<bucket>/<variant>/<id[0:3]>/<id[3:6]>/<id>`), so the buckets are
/// copied as they are.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<u64> {
    if !from.is_dir() {
        bail!("--previews {}: not a folder", from.display());
    }
    let mut n = 0;
    for bucket in ["pictures", "movies", "files"] {
        let dir = from.join(bucket);
        if dir.is_dir() {
            n += copy_dir(&dir, &to.join(bucket))?;
        }
    }
    Ok(n)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<u64> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut n = 0;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            n += copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
            n += 1;
        }
    }
    Ok(n)
}
