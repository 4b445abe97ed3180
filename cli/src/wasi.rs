//! The guest's WASI capabilities from the `run` command line: `--dir`, `--env`,
//! `--inherit-env`, `--tcplisten`, and its argv.

use wasmtier::wasi::{WasiCtx, WasiCtxBuilder};

use crate::failure::Failure;

/// Splits `HOST[::GUEST]`; GUEST defaults to HOST, as in wasmtime.
pub fn parse_dir(spec: &str) -> (&str, &str) {
    match spec.split_once("::") {
        Some((host, guest)) => (host, guest),
        None => (spec, spec),
    }
}

/// `NAME=VALUE`, or `NAME` alone to pass this process's value (skipped if unset).
fn parse_env(spec: &str) -> Result<Option<(String, String)>, Failure> {
    match spec.split_once('=') {
        Some(("", _)) => Err(Failure::error(format!(
            "--env {spec}: the variable name is empty"
        ))),
        Some((k, v)) => Ok(Some((k.to_string(), v.to_string()))),
        None => Ok(std::env::var(spec).ok().map(|v| (spec.to_string(), v))),
    }
}

pub struct WasiOptions<'a> {
    pub argv: Vec<String>,
    pub dirs: &'a [String],
    pub envs: &'a [String],
    pub inherit_env: bool,
    pub tcplisten: &'a [String],
}

pub fn build(opts: WasiOptions<'_>) -> Result<WasiCtx, Failure> {
    let mut b = WasiCtxBuilder::new();
    b.inherit_stdio().args(opts.argv);
    if opts.inherit_env {
        b.inherit_env();
    }
    for spec in opts.envs {
        if let Some((k, v)) = parse_env(spec)? {
            b.env(k, v);
        }
    }
    for spec in opts.dirs {
        let (host, guest) = parse_dir(spec);
        if host.is_empty() || guest.is_empty() {
            return Err(Failure::error(format!(
                "--dir {spec}: expected HOST or HOST::GUEST with non-empty paths"
            )));
        }
        b.preopened_dir(host, guest)
            .map_err(|e| Failure::error(format!("--dir {spec}: {e}")))?;
    }
    // Listening sockets come after the directories (see `preopened_listener`).
    for addr in opts.tcplisten {
        let listener = std::net::TcpListener::bind(addr.as_str())
            .map_err(|e| Failure::error(format!("--tcplisten {addr}: {e}")))?;
        b.preopened_listener(listener)
            .map_err(|e| Failure::error(format!("--tcplisten {addr}: {e}")))?;
    }
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::parse_dir;

    #[test]
    fn guest_defaults_to_host() {
        assert_eq!(parse_dir("."), (".", "."));
        assert_eq!(parse_dir("/tmp/x::/"), ("/tmp/x", "/"));
        assert_eq!(parse_dir("a::b"), ("a", "b"));
    }
}
