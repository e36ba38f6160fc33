//! The real server on a loopback socket: what slow or stalled clients get
//! (issue 10: `axum::serve` had no timeouts, so half a header held a
//! connection for as long as the client liked).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use loupe_http::{ServeConfig, Timeouts};

/// Starts the server with one-second timeouts on a runtime of its own.
fn spawn_server() -> (SocketAddr, tempfile::TempDir) {
    spawn_guarded(loupe_http::GuardConfig::default())
}

fn spawn_guarded(guard: loupe_http::GuardConfig) -> (SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = ServeConfig {
        app: crate::app_on(store::Store::open_temporary().unwrap()),
        data_dir: dir.path().to_path_buf(),
        host: "127.0.0.1".into(),
        port: 0,
        local_token: None,
        timeouts: Timeouts {
            header: Duration::from_secs(1),
            body: Duration::from_secs(1),
            idle: Duration::from_secs(1),
        },
        guard,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = loupe_http::serve(config, |addr| tx.send(addr).unwrap());
    });
    (rx.recv_timeout(Duration::from_secs(30)).unwrap(), dir)
}

/// Sends `request`, then reads until the server closes the connection (or
/// 10 s pass); returns what it read and how long the server took to close.
fn send_and_wait(addr: SocketAddr, request: &[u8]) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    stream.write_all(request).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), started.elapsed())
}

#[test]
fn a_client_that_sends_half_a_header_is_disconnected() {
    let (addr, _dir) = spawn_server();
    let (_, took) = send_and_wait(addr, b"GET /health HTTP/1.1\r\nHost: x\r\n");
    assert!(took < Duration::from_secs(4), "held for {took:?}");
}

#[test]
fn a_body_that_does_not_arrive_is_a_json_408() {
    let (addr, _dir) = spawn_server();
    let (reply, took) = send_and_wait(
        addr,
        b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{\"id\"",
    );
    assert!(took < Duration::from_secs(5), "held for {took:?}");
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("\"code\":\"request_timeout\""), "{reply}");
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let (addr, _dir) = spawn_server();
    let (reply, took) = send_and_wait(addr, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(took < Duration::from_secs(4), "held for {took:?}");
}

#[test]
fn huge_headers_are_a_431_in_the_error_shape() {
    let (addr, _dir) = spawn_server();
    let filler = "x".repeat(200 * 1024);
    let many: String = (0..150).map(|i| format!("X-Many-{i}: 1\r\n")).collect();
    for (path, extra) in [("/v1/products", format!("X-Filler: {filler}\r\n")), ("/v1/products", many.clone())]
    {
        let (reply, _) = send_and_wait(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n").as_bytes(),
        );
        assert!(reply.starts_with("HTTP/1.1 431"), "{}", &reply[..reply.len().min(300)]);
        assert!(reply.contains("\"code\":\"headers_too_large\""), "{reply}");
    }
    let (reply, _) = send_and_wait(
        addr,
        format!("GET / HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n").as_bytes(),
    );
    assert!(reply.starts_with("HTTP/1.1 431") && reply.contains("text/html"), "{reply}");
}

/// The socket's peer address reaches the rate limit: from one loopback
/// client, the second page within the burst of one is refused.
#[test]
fn the_rate_limit_counts_the_socket_peer() {
    let (addr, _dir) =
        spawn_guarded(loupe_http::GuardConfig { per_address_per_minute: 6, ..Default::default() });
    let get = |path: &str| {
        let (reply, _) = send_and_wait(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        reply
    };
    assert!(get("/").starts_with("HTTP/1.1 200"), "the first page");
    let second = get("/");
    assert!(second.starts_with("HTTP/1.1 429"), "{second}");
    assert!(second.to_ascii_lowercase().contains("retry-after: 10"), "{second}");
    assert!(get("/health").starts_with("HTTP/1.1 200"), "health is not limited");
}
