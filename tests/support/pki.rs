//! Certificates made per test: a CA, a server certificate for the loopback
//! address, and a client certificate it signs, in PEM and in files a
//! `redis-server` reads.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
};

/// A CA, and a server and a client certificate it signed, written to a
/// directory of their own that is removed when dropped.
pub struct Pki {
    /// The CA certificate, PEM.
    pub ca: String,
    /// A client certificate, PEM.
    pub client_cert: String,
    /// The client certificate's key, PEM.
    pub client_key: String,
    dir: PathBuf,
}

impl Pki {
    /// A new CA named `name`, its certificates, and their files.
    pub fn new(name: &str) -> Self {
        let ca_key = KeyPair::generate().expect("a CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, name);
        let ca = ca_params.self_signed(&ca_key).expect("a CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);
        let signed = |names: Vec<String>, purpose| {
            let key = KeyPair::generate().expect("a key");
            let mut params = CertificateParams::new(names).expect("parameters");
            params.extended_key_usages = vec![purpose];
            let cert = params.signed_by(&key, &issuer).expect("a certificate");
            (cert.pem(), key.serialize_pem())
        };
        let server = signed(
            vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let client = signed(Vec::new(), ExtendedKeyUsagePurpose::ClientAuth);
        let dir = std::env::temp_dir().join(format!(
            "paseto-pki-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("a clock after 1970")
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).expect("a directory for the certificates");
        let pki = Self {
            ca: ca.pem(),
            client_cert: client.0,
            client_key: client.1,
            dir,
        };
        for (file, contents) in [
            ("ca.pem", pki.ca.as_str()),
            ("server.pem", server.0.as_str()),
            ("server.key", server.1.as_str()),
            ("client.pem", pki.client_cert.as_str()),
            ("client.key", pki.client_key.as_str()),
        ] {
            std::fs::write(pki.dir.join(file), contents).expect("a certificate file");
        }
        pki
    }

    /// The path of one of the files: `ca.pem`, `server.pem`, `server.key`,
    /// `client.pem`, `client.key`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `redis-server` arguments serving TLS on `port` with this server
    /// certificate; `mutual` asks clients for a certificate this CA signed.
    pub fn redis_args(&self, port: u16, mutual: bool) -> Vec<String> {
        let path = |name: &str| path_text(&self.file(name));
        vec![
            "--tls-port".to_owned(),
            port.to_string(),
            "--tls-cert-file".to_owned(),
            path("server.pem"),
            "--tls-key-file".to_owned(),
            path("server.key"),
            "--tls-ca-cert-file".to_owned(),
            path("ca.pem"),
            "--tls-auth-clients".to_owned(),
            if mutual { "yes" } else { "no" }.to_owned(),
        ]
    }
}

fn path_text(path: &Path) -> String {
    path.to_str().expect("a UTF-8 temporary path").to_owned()
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
