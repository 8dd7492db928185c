//! The runtime's rules that the attributes and `grpc_methods!` check when they
//! compile, so a mistake is a compile error rather than a refusal at start. The
//! runtime keeps its own copies (`scope::is_scope_token`, `kind::is_custom_name`,
//! `layer::grpc::is_method_path`, `openapi::SECURITY_SCHEME`); its unit test
//! `rules_of_the_macros` mounts this file and holds each pair equal.

/// Whether `scope` is one RFC 6749 scope token: visible ASCII but `"` and `\`,
/// at least one character.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// Whether `name` may name a custom token type: not empty, and not one of the
/// library's own types, `access` and `refresh`.
pub(crate) fn is_custom_name(name: &str) -> bool {
    !matches!(name, "" | "access" | "refresh")
}

/// The name of the OpenAPI security scheme the guards are documented under.
pub(crate) const SECURITY_SCHEME: &str = "paseto";

/// Whether `path` names one gRPC method, `/package.Service/Method`: a slash,
/// a service, a slash, a method, neither empty.
pub(crate) fn is_method_path(path: &str) -> bool {
    let mut parts = path.strip_prefix('/').unwrap_or_default().split('/');
    let service = parts.next().unwrap_or_default();
    let method = parts.next().unwrap_or_default();
    !service.is_empty() && !method.is_empty() && parts.next().is_none()
}
