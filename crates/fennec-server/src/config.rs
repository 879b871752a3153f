//! `fennec serve` configuration: one struct, every field settable by flag
//! or environment variable (Zou's names where the meaning is the same).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` (created if missing) or
    /// `postgres://USER@HOST:PORT/DB` (the database is created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://fennec.db")]
    pub database_url: String,
}

/// Where preview files and thumbnails are kept: a local folder, or an
/// S3-compatible bucket that several replicas share (issue 14).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct MediaArgs {
    /// Folder of the media files (previews, thumbnails, originals). By
    /// default `fennec-media` beside the SQLite file (for PostgreSQL,
    /// `./fennec-media`). Ignored when `--s3-bucket` is set.
    #[arg(long, env = "FENNEC_MEDIA_DIR", value_name = "DIR")]
    pub media_dir: Option<PathBuf>,

    /// S3 bucket holding the media files instead of a folder (replicas
    /// must share one). Needs the keys below; the endpoint names an
    /// S3-compatible server other than AWS.
    #[arg(long, env = "FENNEC_S3_BUCKET")]
    pub s3_bucket: Option<String>,

    /// URL of an S3-compatible server (`http://host:port`); AWS when unset.
    #[arg(long, env = "FENNEC_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// Region of the S3 bucket.
    #[arg(long, env = "FENNEC_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// Access key id for the S3 bucket.
    #[arg(long, env = "FENNEC_S3_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,

    /// Secret access key for the S3 bucket.
    #[arg(long, env = "FENNEC_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
}

#[derive(Clone, Debug, clap::Args)]
pub struct ServeConfig {
    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub media: MediaArgs,

    /// Address and port to listen on.
    #[arg(long, env = "FENNEC_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Key signing the JWTs. Replicas sharing a database must share it.
    /// When unset, a random key is generated once and stored in the
    /// database, so every replica of that database uses the same one.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// E-mail of the first admin, created on a fresh database.
    #[arg(long, env = "FENNEC_ADMIN_EMAIL", default_value = "admin@example.com")]
    pub admin_email: String,

    /// Password of the first admin. When unset, a random one is generated
    /// and printed once on the console.
    #[arg(long, env = "FENNEC_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Lifetime of access tokens, in seconds (Zou: 7 days).
    #[arg(long, env = "JWT_ACCESS_TOKEN_EXPIRES", default_value_t = 7 * 24 * 3600)]
    pub access_token_expires: i64,

    /// Lifetime of refresh tokens, in seconds (Zou: 15 days).
    #[arg(long, env = "JWT_REFRESH_TOKEN_EXPIRES", default_value_t = 15 * 24 * 3600)]
    pub refresh_token_expires: i64,

    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "FENNEC_BODY_LIMIT", default_value_t = 64 * 1024 * 1024)]
    pub body_limit: usize,

    /// bcrypt cost for new password hashes (Zou uses 12).
    #[arg(long, env = "FENNEC_BCRYPT_COST", default_value_t = 12)]
    pub bcrypt_cost: u32,

    /// The studio's number of active users, as Zou's `USER_LIMIT` (shown to
    /// admins in the user context).
    #[arg(long, env = "USER_LIMIT", default_value_t = 100)]
    pub user_limit: i64,

    /// A build of Kitsu's web front end (the folder holding its
    /// index.html) to serve at `/`, the API staying under `/api`, as
    /// Kitsu's nginx lays them out.
    #[arg(long = "ui", env = "FENNEC_UI", value_name = "DIR")]
    pub ui: Option<PathBuf>,

    /// Schedule analyses (risks, forecast, timeline, critical path,
    /// causes, what-if) computed at once; more wait their turn. Each holds
    /// a whole production in memory. Default: one per two cores, at
    /// least one.
    #[arg(long, env = "FENNEC_SCHEDULE_WORKERS", value_name = "N")]
    pub schedule_workers: Option<std::num::NonZeroUsize>,
}

impl ServeConfig {
    /// A configuration for tests: the given database, a fixed key, fast hashing.
    pub fn for_tests(database_url: &str) -> ServeConfig {
        ServeConfig {
            database: DatabaseArgs {
                database_url: database_url.to_owned(),
            },
            // Not beside the test database: a PostgreSQL or in-memory one
            // would put them in the working directory.
            media: MediaArgs {
                media_dir: Some(std::env::temp_dir().join("fennec-test-media")),
                ..MediaArgs::default()
            },
            bind: "127.0.0.1:0".parse().expect("valid address"),
            secret_key: Some("test-secret".into()),
            admin_email: "admin@example.com".into(),
            admin_password: Some("mysecretpassword".into()),
            access_token_expires: 3600,
            refresh_token_expires: 7200,
            body_limit: 1024 * 1024,
            bcrypt_cost: 4,
            user_limit: 100,
            ui: None,
            schedule_workers: None,
        }
    }
}
