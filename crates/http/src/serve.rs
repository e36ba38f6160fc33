//! Binding the socket and running the router until Ctrl-C or SIGTERM, with
//! the timeouts that keep slow or stalled clients from holding connections.
//!
//! `axum::serve` has no timeouts at all: a client that sends half a header,
//! or a body one byte a minute, held its connection (and a task) for as long
//! as it liked. Here each connection is served by hyper's HTTP/1 machinery
//! directly, with three limits ([`Timeouts`]):
//! - *header*: the request head must arrive within it (hyper's own header
//!   read timer; it also runs while a kept-alive connection waits for its
//!   next request, so an idle connection closes after it too);
//! - *body*: the whole body must arrive within it from the end of the head;
//!   a handler reading it then sees `408 request_timeout`;
//! - *idle*: a connection on which no request is being handled and no byte
//!   has moved either way for this long is closed (a client that stopped
//!   reading its response, say).

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::body::{Body, Bytes};
use axum::http::Request;
use http_body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tower::ServiceExt as _;

use super::state::AppState;

/// What `loupe serve` and `loupe demo` hand to [`serve`].
#[derive(Clone)]
pub struct ServeConfig {
    /// The brand's application: store, clock, engines, tasks.
    pub app: app::App,
    /// The data directory (uploads are spooled under `tmp/` here).
    pub data_dir: PathBuf,
    pub host: String,
    /// `0` picks a free port; the bound address goes to `ready`.
    pub port: u16,
    /// A secret accepted as an admin key, for the CLI on this machine
    /// (the binary hands it over through the data directory).
    pub local_token: Option<String>,
    pub timeouts: Timeouts,
    /// Rate limits, CORS origins, proxy trust.
    pub guard: super::GuardConfig,
}

/// How long a client may take; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub header: Duration,
    pub body: Duration,
    pub idle: Duration,
}

/// 10 s for the head, 60 s for the body, 75 s idle.
impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            header: Duration::from_secs(10),
            body: Duration::from_secs(60),
            idle: Duration::from_secs(75),
        }
    }
}

/// Headers hyper itself accepts before answering a bare `431`; below these,
/// `limit_headers` in `lib.rs` answers in our error shape.
const HYPER_MAX_HEAD_BYTES: usize = 1024 * 1024;
const HYPER_MAX_HEADERS: usize = 1000;
/// How long open connections get to finish after Ctrl-C or SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs the server on a runtime of its own; blocks until shutdown. `ready`
/// is called once the socket is bound, with the address actually bound.
pub fn serve(config: ServeConfig, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("loupe-http")
        .build()
        .context("Failed to start the async runtime")?;
    let result = runtime.block_on(serve_async(config, ready));
    // Work on the blocking pool (an engine warming up, a task) must not keep
    // a stopped server alive.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}

/// [`serve`] for callers that already run a tokio runtime.
pub async fn serve_async(config: ServeConfig, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let interrupted = config.app.tasks.fail_interrupted().map_err(|e| anyhow::anyhow!("{e}"))?;
    if interrupted > 0 {
        tracing::warn!(tasks = interrupted, "marked tasks left unfinished by the previous run as failed");
    }
    remove_stale_uploads(&config.data_dir);
    let mut state = AppState::new(config.app, &config.data_dir);
    state.local_token = config.local_token.map(std::sync::Arc::from);
    let state = state.with_guard(config.guard);
    let app = super::router(state.clone());
    let addr = format!("{}:{}", config.host, config.port);
    let listener =
        tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("Failed to listen on {addr}"))?;
    let bound = listener.local_addr().context("Failed to read the bound address")?;
    ready(bound);
    let engines = state.app.engines.clone();
    let for_triage = state.app.clone();
    tokio::task::spawn_blocking(move || {
        engines.warm_up();
        // Cases imported before this start reach the queue with Loupe's
        // triage: record it in the decision log.
        if let Err(e) = app::support::log_untriaged(&for_triage) {
            tracing::warn!(error = %e.message, "could not record the triage of imported cases");
        }
    });
    // The care outbox's delivery loop (idle while no transport is set).
    let outbox_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    app::outbox::spawn_worker(state.app.clone(), outbox_stop.clone());

    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(connection(stream, peer, app.clone(), config.timeouts, stopping.clone()));
                }
                // Out of file descriptors and the like: wait, do not spin.
                Err(err) => {
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next() => {}
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    outbox_stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = stop.send(true);
    let drained =
        tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} });
    if drained.await.is_err() {
        tracing::warn!(open = connections.len(), "closing connections that did not finish in time");
    }
    Ok(())
}

/// Serves one connection until it ends, times out, or the server stops.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    app: axum::Router,
    timeouts: Timeouts,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::default());
    let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
    let handlers = activity.clone();
    let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
        let app = app.clone();
        let handling = Handling::enter(handlers.clone());
        async move {
            let _handling = handling;
            let mut req = req.map(|body| Body::new(DeadlineBody::new(body, timeouts.body)));
            // The client's address, for the rate limits.
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.oneshot(req).await
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header)
        .max_buf_size(HYPER_MAX_HEAD_BYTES)
        .max_headers(HYPER_MAX_HEADERS);
    let conn = http.serve_connection(io, service);
    tokio::pin!(conn);
    let mut tick =
        tokio::time::interval((timeouts.idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(5)));
    let mut draining = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = tick.tick() => {
                if activity.handling.load(Ordering::Relaxed) == 0 && activity.idle_for() >= timeouts.idle {
                    return;
                }
            }
            _ = stopping.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// When bytes last moved on a connection, and how many requests on it a
/// handler is working on.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    handling: AtomicUsize,
}

impl Default for Activity {
    fn default() -> Activity {
        Activity { start: Instant::now(), last_ms: AtomicU64::new(0), handling: AtomicUsize::new(0) }
    }
}

impl Activity {
    fn touch(&self) {
        self.last_ms.store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        self.start.elapsed().saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// Counts a request as being handled until dropped.
struct Handling(Arc<Activity>);

impl Handling {
    fn enter(activity: Arc<Activity>) -> Handling {
        activity.handling.fetch_add(1, Ordering::Relaxed);
        Handling(activity)
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.handling.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A stream that records when bytes last moved on it.
struct Watched<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The body of a request that has not arrived within the body timeout; the
/// error extractors answer it with `408 request_timeout`.
#[derive(Debug)]
pub(crate) struct BodyTimeout(pub(crate) Duration);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body did not arrive within {} s", self.0.as_secs_f64())
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails with [`BodyTimeout`] once its deadline passes.
struct DeadlineBody<B> {
    inner: Pin<Box<B>>,
    deadline: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
}

impl<B> DeadlineBody<B> {
    fn new(inner: B, limit: Duration) -> DeadlineBody<B> {
        DeadlineBody { inner: Box::pin(inner), deadline: Box::pin(tokio::time::sleep(limit)), limit }
    }
}

impl<B> http_body::Body for DeadlineBody<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = self.inner.as_mut().poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimeout(self.limit)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Uploads spooled by a previous run that stopped mid-import (its tasks were
/// just marked interrupted): nothing will read them again.
fn remove_stale_uploads(data_dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(data_dir.join("tmp")) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("upload-") {
            if let Err(err) = std::fs::remove_file(entry.path()) {
                tracing::warn!(path = %entry.path().display(), error = %err, "could not remove a stale upload");
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
