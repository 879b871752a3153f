use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key violated: {0}")]
    ForeignKey(String),
    #[error("not null constraint violated: {0}")]
    NotNull(String),
    #[error("check constraint violated: {0}")]
    Check(String),
    #[error("invalid value for {field}: {value}")]
    InvalidValue { field: String, value: String },
    #[error("required field missing: {0}")]
    Missing(String),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("configuration error: {0}")]
    Config(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let msg = db.message().to_string();
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return StoreError::Unique(msg),
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::ForeignKey(msg),
                sqlx::error::ErrorKind::NotNullViolation => return StoreError::NotNull(msg),
                sqlx::error::ErrorKind::CheckViolation => return StoreError::Check(msg),
                _ => {}
            }
        }
        if let sqlx::Error::RowNotFound = e {
            return StoreError::NotFound;
        }
        StoreError::Database(e)
    }
}

impl StoreError {
    /// True when the client's data, not the server, caused the failure.
    pub fn is_constraint(&self) -> bool {
        matches!(
            self,
            StoreError::Unique(_)
                | StoreError::ForeignKey(_)
                | StoreError::NotNull(_)
                | StoreError::Check(_)
        )
    }
}
