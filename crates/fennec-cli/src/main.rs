//! `fennec`: the server and its admin commands in one binary.

use anyhow::Context;
use clap::{Parser, Subcommand};
use fennec_server::config::{DatabaseArgs, ServeConfig};
use fennec_server::App;

mod allocator;
mod db_copy;
mod gantt;
mod import_zou;
mod import_zou_cmd;
mod schedule_cmds;
mod seed;
mod table_copy;

// mimalloc returns freed memory to the system and scales across threads;
// glibc's allocator kept gigabytes after one large schedule answer. The
// `system-allocator` feature leaves it out, so that heap profilers that
// hook malloc (heaptrack) see the server's allocations (bench/README.md).
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Fennec: a production tracker that speaks Kitsu's API.
#[derive(Parser, Debug)]
#[command(name = "fennec", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the server (creates and migrates the database if needed, loads
    /// Kitsu's default data and the first admin on a fresh one).
    Serve(ServeConfig),
    /// Create or upgrade the database schema, then exit.
    Migrate(DatabaseArgs),
    /// Create an admin (or make an existing person with that e-mail an
    /// active admin with this password).
    CreateAdmin {
        /// The admin's e-mail, used to log in.
        email: String,
        /// The admin's password.
        #[arg(long, env = "FENNEC_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write a realistic production (episodes, shots, assets, a team,
    /// tasks with a schedule, time spents and comments) straight into the
    /// database; every seeded person's password is `fennec-seed`.
    Seed(seed::SeedArgs),
    /// Print a project's schedule risks as of a date (a server's
    /// /fennec/projects/{id}/risks); exits with 2 when anything is late or
    /// will slip, so a studio can run it from cron.
    Risk(schedule_cmds::RiskArgs),
    /// Draw a project's timeline as a Gantt in the terminal (and as SVG with
    /// --svg), grouped by sequence, episode, task type, person…
    Timeline(schedule_cmds::TimelineArgs),
    /// Print the chain of tasks deciding the project end and each
    /// milestone, with slack (a server's /fennec/projects/{id}/critical-path).
    CriticalPath(schedule_cmds::CriticalPathArgs),
    /// List, add or remove finish-to-start links between tasks (a server's
    /// /fennec/projects/{id}/task-links).
    Link(schedule_cmds::LinkArgs),
    /// Forecast a project with hypothetical changes (reassign, add hours,
    /// move dates…) without writing them (a server's
    /// /fennec/projects/{id}/what-if).
    WhatIf(schedule_cmds::WhatIfArgs),
    /// Copy a Zou 1.0.97 database (Kitsu's server) into a fresh Fennec
    /// database, ids and password hashes kept, in one transaction; what
    /// Fennec does not model is listed at the end.
    ImportZou(import_zou_cmd::ImportZouArgs),
    /// Copy a Fennec database into a fresh one, SQLite or PostgreSQL either
    /// way (`--from sqlite://fennec.db --to postgres://…`), in one
    /// transaction, never writing the source.
    DbCopy(db_copy::DbCopyArgs),
}

fn main() -> anyhow::Result<()> {
    allocator::purge_promptly_when_serving();
    run()
}

#[tokio::main]
async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FENNEC_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(config) => serve(config).await,
        Command::Seed(args) => seed::run(args).await,
        Command::Risk(args) => exit_with(schedule_cmds::risk(args).await?),
        Command::Timeline(args) => exit_with(schedule_cmds::timeline(args).await?),
        Command::CriticalPath(args) => exit_with(schedule_cmds::critical_path(args).await?),
        Command::Link(args) => exit_with(schedule_cmds::link(args).await?),
        Command::WhatIf(args) => exit_with(schedule_cmds::what_if(args).await?),
        Command::ImportZou(args) => import_zou_cmd::run(args).await,
        Command::DbCopy(args) => db_copy::run(args).await,
        Command::Migrate(db) => {
            let store = fennec_store::Db::connect(&db.database_url).await?;
            store.migrate().await?;
            fennec_store::defaults::load(&store).await?;
            println!("database {} is up to date", redact(&db.database_url));
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            database,
        } => {
            let store = fennec_store::Db::connect(&database.database_url).await?;
            store.migrate().await?;
            fennec_store::defaults::load(&store).await?;
            let hash = bcrypt::hash(&password, 12).context("hashing the password")?;
            let mut tx = store.begin().await?;
            let id = fennec_server::app::create_admin(&mut tx, &email, &hash).await?;
            tx.commit().await?;
            println!("admin {email} ready (id {id})");
            Ok(())
        }
    }
}

fn exit_with(code: i32) -> anyhow::Result<()> {
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let bind = config.bind;
    let email = config.admin_email.clone();
    let url = redact(&config.database.database_url);
    let ui = config.ui.clone();
    let app = App::build(config).await.context("starting fennec")?;
    if let Some(pw) = &app.generated_admin_password {
        println!("Created the first admin: {email} with password {pw}");
        println!("(shown only this once; set FENNEC_ADMIN_PASSWORD to choose it)");
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("listening on {bind}"))?;
    tracing::info!(address = %listener.local_addr()?, database = %url, "fennec serving the Kitsu API");
    if let Some(ui) = ui {
        let address = listener.local_addr()?;
        println!(
            "Kitsu's web front end from {} at http://{address}/ (API under /api)",
            ui.display()
        );
    }
    app.serve(listener).await?;
    Ok(())
}

/// The URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
