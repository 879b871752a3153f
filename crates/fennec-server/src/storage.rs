//! Media storage (issue 14): where preview files, their thumbnails and
//! avatars are kept, on the `object_store` crate. A local folder by
//! default (`fennec-media` beside the SQLite file), or an S3-compatible
//! bucket that several replicas share.
//!
//! Keys follow Zou's file store layout, so a Zou media folder can be
//! copied over: `{bucket}/{prefix}/{id[0..3]}/{id[3..6]}/{id}`, the bucket
//! being `pictures`, `movies` or `files` and the prefix the variant
//! (`thumbnails`, `thumbnails-square`, `previews`, `original`, …).
//!
//! Writes are atomic on both backends: the local store writes a temporary
//! file then renames it, and an S3 PUT is all or nothing, so a half
//! written file is never served.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{ObjectStore, PutPayload};
use uuid::Uuid;

use crate::config::MediaArgs;

/// Zou's buckets.
pub const PICTURES: &str = "pictures";
pub const FILES: &str = "files";
pub const MOVIES: &str = "movies";

/// A stored file read for an answer: its whole size, and the bytes of the
/// part asked for, streamed (a movie is never held in memory at once).
pub struct Stored {
    pub size: u64,
    pub body: futures_util::stream::BoxStream<'static, Result<Bytes, object_store::Error>>,
}

/// The media store of a server: cheap to clone.
#[derive(Clone)]
pub struct Media {
    store: Arc<dyn ObjectStore>,
    /// Where the files are, for start-up messages.
    pub location: String,
}

impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Media({})", self.location)
    }
}

/// Zou's key of a stored file (`file_store.path`): sharded by the first
/// six characters of the id so that no folder grows huge.
pub fn key(bucket: &str, prefix: &str, id: Uuid) -> Key {
    let id = id.to_string();
    Key::from(format!(
        "{bucket}/{prefix}/{}/{}/{id}",
        &id[0..3],
        &id[3..6]
    ))
}

/// The default media folder: `fennec-media` beside the SQLite file; for
/// PostgreSQL or an in-memory database, in the working directory or the
/// temporary one.
fn default_dir(database_url: &str) -> PathBuf {
    let Some(rest) = database_url.strip_prefix("sqlite:") else {
        return PathBuf::from("fennec-media");
    };
    let file = rest.trim_start_matches("//");
    let file = file.split('?').next().unwrap_or_default();
    if file.is_empty() || file.contains(":memory:") {
        // A database that vanishes with the process: so do its files.
        return std::env::temp_dir().join(format!("fennec-media-{}", std::process::id()));
    }
    match Path::new(file).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("fennec-media"),
        _ => PathBuf::from("fennec-media"),
    }
}

impl Media {
    /// Opens the store the configuration names. A wrong setting is
    /// reported in a sentence fit for the start-up console.
    pub async fn open(args: &MediaArgs, database_url: &str) -> Result<Media, String> {
        if let Some(bucket) = args.s3_bucket.as_deref().filter(|b| !b.is_empty()) {
            return Self::open_s3(args, bucket).await;
        }
        if args.s3_endpoint.is_some() || args.s3_access_key_id.is_some() {
            return Err(
                "FENNEC_S3_ENDPOINT or FENNEC_S3_ACCESS_KEY_ID is set but FENNEC_S3_BUCKET is \
                 not: name the bucket (--s3-bucket) or unset the S3 settings"
                    .into(),
            );
        }
        let dir = args
            .media_dir
            .clone()
            .unwrap_or_else(|| default_dir(database_url));
        std::fs::create_dir_all(&dir).map_err(|e| {
            format!(
                "media folder {} cannot be created ({e}); set --media-dir / FENNEC_MEDIA_DIR \
                 to a writable folder",
                dir.display()
            )
        })?;
        let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| {
            format!(
                "media folder {} cannot be used ({e}); set --media-dir / FENNEC_MEDIA_DIR",
                dir.display()
            )
        })?;
        // Checked now rather than on the first upload: a read-only folder
        // is a configuration mistake.
        let probe = dir.join(".fennec-write-check");
        std::fs::write(&probe, b"ok").map_err(|e| {
            format!(
                "media folder {} is not writable ({e}); set --media-dir / FENNEC_MEDIA_DIR",
                dir.display()
            )
        })?;
        let _ = std::fs::remove_file(&probe);
        let location = std::fs::canonicalize(&dir).unwrap_or(dir);
        Ok(Media {
            store: Arc::new(store),
            location: location.display().to_string(),
        })
    }

    async fn open_s3(args: &MediaArgs, bucket: &str) -> Result<Media, String> {
        let (Some(key_id), Some(secret)) = (&args.s3_access_key_id, &args.s3_secret_access_key)
        else {
            return Err(format!(
                "S3 bucket {bucket:?} needs FENNEC_S3_ACCESS_KEY_ID and \
                 FENNEC_S3_SECRET_ACCESS_KEY (or --s3-access-key-id and --s3-secret-access-key)"
            ));
        };
        let region = if args.s3_region.is_empty() {
            "us-east-1"
        } else {
            &args.s3_region
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(region)
            .with_access_key_id(key_id)
            .with_secret_access_key(secret);
        let mut location = format!("s3://{bucket}");
        if let Some(endpoint) = args.s3_endpoint.as_deref().filter(|e| !e.is_empty()) {
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(format!(
                    "FENNEC_S3_ENDPOINT {endpoint:?} must be a URL (http://host:port or https://…)"
                ));
            }
            // S3-compatible servers (s3s, MinIO, Garage) are reached by
            // path, often over plain HTTP inside the studio's network.
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
            location = format!("{endpoint}/{bucket}");
        }
        let store = builder
            .build()
            .map_err(|e| format!("S3 storage {location} is misconfigured: {e}"))?;
        // One write at start-up, so that a wrong endpoint, bucket or key
        // (or keys that may read but not write) is told now and not on the
        // first upload. A read alone would take a missing bucket for a
        // missing file.
        let probe = Key::from(".fennec-start-check");
        if let Err(e) = store.put(&probe, PutPayload::from_static(b"ok")).await {
            return Err(format!(
                "S3 storage {location} cannot be written (wrong endpoint, bucket or keys?): {e}"
            ));
        }
        let _ = store.delete(&probe).await;
        Ok(Media {
            store: Arc::new(store),
            location,
        })
    }

    /// Stores `bytes` at the key of (`bucket`, `prefix`, `id`), replacing
    /// any earlier file.
    pub async fn put(
        &self,
        bucket: &str,
        prefix: &str,
        id: Uuid,
        bytes: Bytes,
    ) -> Result<(), object_store::Error> {
        self.store
            .put(&key(bucket, prefix, id), PutPayload::from(bytes))
            .await
            .map(|_| ())
    }

    /// The file at (`bucket`, `prefix`, `id`), `None` when there is none.
    pub async fn get(
        &self,
        bucket: &str,
        prefix: &str,
        id: Uuid,
    ) -> Result<Option<Bytes>, object_store::Error> {
        match self.store.get(&key(bucket, prefix, id)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stores the local file at `path` without reading it into memory:
    /// object_store's buffered writer turns a big one into a multipart
    /// upload, which, like a plain PUT, only shows once complete.
    pub async fn put_file(
        &self,
        bucket: &str,
        prefix: &str,
        id: Uuid,
        path: &Path,
    ) -> Result<(), object_store::Error> {
        use tokio::io::AsyncWriteExt;
        let io = |e: std::io::Error| object_store::Error::Generic {
            store: "media",
            source: Box::new(e),
        };
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        let mut writer =
            object_store::buffered::BufWriter::new(self.store.clone(), key(bucket, prefix, id));
        if let Err(e) = tokio::io::copy(&mut file, &mut writer).await {
            let _ = writer.abort().await;
            return Err(io(e));
        }
        writer.shutdown().await.map_err(io)
    }

    /// The size of the file at (`bucket`, `prefix`, `id`), `None` when
    /// there is none.
    pub async fn size(
        &self,
        bucket: &str,
        prefix: &str,
        id: Uuid,
    ) -> Result<Option<u64>, object_store::Error> {
        match self.store.head(&key(bucket, prefix, id)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The bytes `range` (all of them when `None`) of the file at
    /// (`bucket`, `prefix`, `id`), streamed; `None` when there is none.
    pub async fn read(
        &self,
        bucket: &str,
        prefix: &str,
        id: Uuid,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<Option<Stored>, object_store::Error> {
        let options = object_store::GetOptions {
            range: range.map(object_store::GetRange::Bounded),
            ..Default::default()
        };
        match self.store.get_opts(&key(bucket, prefix, id), options).await {
            Ok(found) => Ok(Some(Stored {
                size: found.meta.size,
                body: found.into_stream(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the file at (`bucket`, `prefix`, `id`); a missing one is
    /// not an error.
    pub async fn delete(
        &self,
        bucket: &str,
        prefix: &str,
        id: Uuid,
    ) -> Result<(), object_store::Error> {
        match self.store.delete(&key(bucket, prefix, id)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_zou_layout() {
        let id = Uuid::parse_str("63e453f1-9655-49ad-acba-ff7f27c49e9d").unwrap();
        assert_eq!(
            key(PICTURES, "thumbnails", id).as_ref(),
            "pictures/thumbnails/63e/453/63e453f1-9655-49ad-acba-ff7f27c49e9d"
        );
    }

    #[test]
    fn default_folder_is_beside_the_sqlite_file() {
        assert_eq!(
            default_dir("sqlite:///var/lib/fennec/fennec.db"),
            PathBuf::from("/var/lib/fennec/fennec-media")
        );
        assert_eq!(
            default_dir("sqlite://fennec.db"),
            PathBuf::from("fennec-media")
        );
        assert_eq!(
            default_dir("postgres://u@h/db"),
            PathBuf::from("fennec-media")
        );
    }

    #[tokio::test]
    async fn local_round_trip_and_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let args = MediaArgs {
            media_dir: Some(dir.path().join("media")),
            ..MediaArgs::default()
        };
        let media = Media::open(&args, "sqlite::memory:").await.unwrap();
        let id = Uuid::new_v4();
        assert_eq!(media.get(PICTURES, "original", id).await.unwrap(), None);
        media
            .put(PICTURES, "original", id, Bytes::from_static(b"png"))
            .await
            .unwrap();
        assert_eq!(
            media
                .get(PICTURES, "original", id)
                .await
                .unwrap()
                .as_deref(),
            Some(&b"png"[..])
        );
        media.delete(PICTURES, "original", id).await.unwrap();
        assert_eq!(media.get(PICTURES, "original", id).await.unwrap(), None);

        // A file put from disk reads back whole and by range.
        let source = dir.path().join("movie.mp4");
        std::fs::write(&source, b"0123456789").unwrap();
        media.put_file(MOVIES, "lowdef", id, &source).await.unwrap();
        assert_eq!(media.size(MOVIES, "lowdef", id).await.unwrap(), Some(10));
        let part = media
            .read(MOVIES, "lowdef", id, Some(2..5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(part.size, 10);
        let bytes: Vec<Bytes> = futures_util::TryStreamExt::try_collect(part.body)
            .await
            .unwrap();
        assert_eq!(bytes.concat(), b"234");
        assert!(media
            .read(MOVIES, "previews", id, None)
            .await
            .unwrap()
            .is_none());

        let half = MediaArgs {
            s3_bucket: Some("b".into()),
            ..MediaArgs::default()
        };
        let err = Media::open(&half, "sqlite::memory:").await.unwrap_err();
        assert!(err.contains("FENNEC_S3_ACCESS_KEY_ID"), "{err}");
        let bad_endpoint = MediaArgs {
            s3_bucket: Some("b".into()),
            s3_endpoint: Some("localhost:9000".into()),
            s3_access_key_id: Some("k".into()),
            s3_secret_access_key: Some("s".into()),
            ..MediaArgs::default()
        };
        let err = Media::open(&bad_endpoint, "sqlite::memory:")
            .await
            .unwrap_err();
        assert!(err.contains("must be a URL"), "{err}");
    }
}
