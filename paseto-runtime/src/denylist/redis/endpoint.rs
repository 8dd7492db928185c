//! How a Redis denylist reaches Redis: the URL, TLS beyond the platform's
//! roots (a private CA, a client certificate), and the environment variables
//! that say so.

use std::path::Path;

use redis::IntoConnectionInfo;

use crate::denylist::DenylistError;

/// TLS for a `rediss://` denylist beyond the defaults: the platform's roots
/// verify the server, and no client certificate is sent.
///
/// ```no_run
/// use paseto_runtime::denylist::{RedisDenylist, RedisTls};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let tls = RedisTls::new()
///     .ca_cert(std::fs::read("ca.pem")?)          // trust this CA, not the platform's roots
///     .client_cert(std::fs::read("client.pem")?, std::fs::read("client.key")?); // mutual TLS
/// let denylist = RedisDenylist::new("rediss://redis.internal:6380")?.tls(tls)?;
/// # let _ = denylist;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct RedisTls {
    ca: Option<Vec<u8>>,
    identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for RedisTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTls")
            .field("ca", &self.ca.is_some())
            .field("client_cert", &self.identity.is_some())
            .finish()
    }
}

impl RedisTls {
    /// The defaults: the platform's roots, no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies the server with the CA certificates of `pem` only, instead of
    /// the platform's roots.
    #[must_use]
    pub fn ca_cert(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca = Some(pem.into());
        self
    }

    /// Presents the certificate chain `cert_pem`, with its private key
    /// `key_pem`, to a server that asks for one (mutual TLS).
    #[must_use]
    pub fn client_cert(
        mut self,
        cert_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.identity = Some((cert_pem.into(), key_pem.into()));
        self
    }

    /// The settings of `REDIS_CA_CERT`, `REDIS_CLIENT_CERT` and
    /// `REDIS_CLIENT_KEY` (paths of PEM files); `None` when none is set.
    pub(super) fn from_env() -> Result<Option<Self>, DenylistError> {
        let ca = read_var("REDIS_CA_CERT")?;
        let identity = match (
            read_var("REDIS_CLIENT_CERT")?,
            read_var("REDIS_CLIENT_KEY")?,
        ) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => {
                return Err(setting(
                    "REDIS_CLIENT_CERT and REDIS_CLIENT_KEY are set together: a client certificate needs its key",
                ));
            }
        };
        Ok((ca.is_some() || identity.is_some()).then_some(Self { ca, identity }))
    }

    pub(super) fn certificates(self) -> redis::TlsCertificates {
        redis::TlsCertificates {
            client_tls: self
                .identity
                .map(|(client_cert, client_key)| redis::ClientTlsConfig {
                    client_cert,
                    client_key,
                }),
            root_cert: self.ca,
        }
    }
}

/// The contents of the file an environment variable names, when it is set.
fn read_var(name: &str) -> Result<Option<Vec<u8>>, DenylistError> {
    let Some(path) = std::env::var_os(name) else {
        return Ok(None);
    };
    std::fs::read(Path::new(&path)).map(Some).map_err(|error| {
        setting(format!(
            "{name} names a file that cannot be read ({}): {error}",
            Path::new(&path).display()
        ))
    })
}

/// A setting that cannot work, said as such.
pub(super) fn setting(message: impl Into<String>) -> DenylistError {
    DenylistError(message.into().into())
}

/// Where `url` points, read without quoting it in any error, so that its
/// password appears nowhere.
pub(super) fn parse(url: &str) -> Result<redis::ConnectionInfo, DenylistError> {
    let info = url.into_connection_info().map_err(|_| {
        setting(
            "the Redis URL does not parse; expected redis://[user:password@]host[:port][/db], or rediss://… for TLS",
        )
    })?;
    // Whatever features the application's other dependencies turn on, a
    // server's certificate is always verified.
    if matches!(
        info.addr(),
        redis::ConnectionAddr::TcpTls { insecure: true, .. }
    ) {
        return Err(setting(
            "a rediss:// URL with #insecure would not verify the server's certificate; give its CA with REDIS_CA_CERT (RedisTls::ca_cert) instead",
        ));
    }
    Ok(info)
}

/// Whether `info` is a `rediss://` URL's.
pub(super) fn is_tls(info: &redis::ConnectionInfo) -> bool {
    matches!(info.addr(), redis::ConnectionAddr::TcpTls { .. })
}

/// Whether the URLs of one deployment (its `servers`, as an error names them)
/// speak TLS: at least one, and all `rediss://` or none.
pub(super) fn speak_tls(
    urls: &[redis::ConnectionInfo],
    servers: &str,
) -> Result<bool, DenylistError> {
    let first = urls
        .first()
        .ok_or_else(|| setting(format!("name at least one of the {servers}")))?;
    let secure = is_tls(first);
    if urls.iter().any(|info| is_tls(info) != secure) {
        return Err(setting(format!(
            "the {servers}' URLs are all redis:// or all rediss://: TLS is for every server or none"
        )));
    }
    Ok(secure)
}

/// The error of TLS settings given for `redis://` URLs.
pub(super) fn tls_without_rediss() -> DenylistError {
    setting("TLS settings (a CA or a client certificate) need rediss:// URLs")
}

/// A client for `info`, with `tls` when given.
pub(super) fn client(
    info: redis::ConnectionInfo,
    tls: Option<RedisTls>,
) -> Result<redis::Client, DenylistError> {
    let tls_url = is_tls(&info);
    match tls {
        Some(_) if !tls_url => Err(tls_without_rediss()),
        Some(tls) => redis::Client::build_with_tls(info, tls.certificates())
            .map_err(|error| setting(format!("the Redis TLS settings do not load: {error}"))),
        None => redis::Client::open(info)
            .map_err(|_| setting("the Redis URL names no server a client can reach")),
    }
}
