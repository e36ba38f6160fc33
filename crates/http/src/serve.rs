//! Binding the socket and running the router until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;

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
}

/// Runs the server on a runtime of its own; blocks until shutdown. `ready`
/// is called once the socket is bound, with the address actually bound.
pub fn serve(config: ServeConfig, ready: impl FnOnce(SocketAddr)) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("loupe-http")
        .build()
        .context("Failed to start the async runtime")?;
    runtime.block_on(serve_async(config, ready))
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
    let app = super::router(state.clone());
    let addr = format!("{}:{}", config.host, config.port);
    let listener =
        tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("Failed to listen on {addr}"))?;
    let bound = listener.local_addr().context("Failed to read the bound address")?;
    ready(bound);
    let engines = state.app.engines.clone();
    tokio::task::spawn_blocking(move || engines.warm_up());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("The HTTP server failed")?;
    Ok(())
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
