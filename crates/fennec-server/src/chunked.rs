//! A JSON answer written by blocking code and sent as it is written, in
//! chunks, so that it never exists whole in memory (issues 16 and 17).
//!
//! The schedule answers of a 151 200-task production are up to 146 MB of
//! JSON: serialised into one `Vec`, they took a 256 MiB buffer plus the
//! 128 MiB one it grew from. Here the writer hands 64 KiB chunks to the
//! response over a small channel, and waits when the client reads slower
//! than the answer is written.
//!
//! The answer's status is decided by its first chunk: the work before it
//! (the analysis) can still fail with a 500; a failure after it can only
//! cut the answer short, and is logged.

use std::io::{self, Write};

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::error::{ApiError, ApiResult};

const CHUNK: usize = 64 * 1024;

/// Chunks in flight between the writer and the response.
const IN_FLIGHT: usize = 4;

/// The `Write` given to the blocking code.
struct Chunks {
    buf: Vec<u8>,
    tx: mpsc::Sender<Bytes>,
}

impl Chunks {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Bytes::from(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for Chunks {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs `write` on a blocking thread (it is CPU work: 150 000 tasks take
/// about a second) and answers what it writes as `application/json`.
pub async fn json_from_blocking<F>(write: F) -> ApiResult<Response>
where
    F: FnOnce(&mut dyn Write) -> Result<(), serde_json::Error> + Send + 'static,
{
    from_blocking("application/json", write).await
}

/// [`json_from_blocking`] for an answer of another content type (the
/// with-tasks boards' NDJSON).
pub async fn from_blocking<F>(content_type: &'static str, write: F) -> ApiResult<Response>
where
    F: FnOnce(&mut dyn Write) -> Result<(), serde_json::Error> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<Bytes>(IN_FLIGHT);
    let task = tokio::task::spawn_blocking(move || {
        let mut out = Chunks {
            buf: Vec::with_capacity(CHUNK),
            tx,
        };
        write(&mut out)?;
        out.send().map_err(serde_json::Error::io)
    });
    let Some(first) = rx.recv().await else {
        // Nothing was written: the work failed before its first chunk.
        return match task.await {
            Ok(Ok(())) => Ok(typed_response(content_type, Body::empty())),
            Ok(Err(e)) => Err(ApiError::internal(e)),
            Err(e) => Err(ApiError::internal(e)),
        };
    };
    tokio::spawn(async move {
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("a streamed answer was cut short: {e}"),
            Err(e) => tracing::error!("a streamed answer's writer failed: {e}"),
        }
    });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let body = futures_util::stream::once(async move { first })
        .chain(rest)
        .map(Ok::<Bytes, io::Error>);
    Ok(typed_response(content_type, Body::from_stream(body)))
}

fn typed_response(content_type: &'static str, body: Body) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// A JSON array written from an iterator as it is serialised, so a
/// schedule answer's rows (one per task: 150 000 on the biggest
/// productions) are never gathered in a vector first.
pub struct SeqFrom<I>(std::cell::Cell<Option<I>>);

impl<I> SeqFrom<I> {
    pub fn new(rows: I) -> Self {
        SeqFrom(std::cell::Cell::new(Some(rows)))
    }
}

impl<I> serde::Serialize for SeqFrom<I>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(rows) => s.collect_seq(rows),
            None => Err(serde::ser::Error::custom("an answer's rows written twice")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_large_answer_arrives_whole_and_in_order() {
        let numbers: Vec<u32> = (0..200_000).collect();
        let expected = serde_json::to_vec(&numbers).unwrap();
        let response = json_from_blocking(move |out| serde_json::to_writer(out, &numbers))
            .await
            .unwrap();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(expected.len() > 4 * CHUNK);
        assert_eq!(body.as_ref(), expected.as_slice());
    }

    #[tokio::test]
    async fn a_failure_before_the_first_chunk_is_an_error() {
        let answer =
            json_from_blocking(|_| Err(serde_json::Error::io(io::Error::other("no")))).await;
        assert!(answer.is_err());
    }
}
