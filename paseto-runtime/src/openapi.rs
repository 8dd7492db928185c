//! OpenAPI with utoipa (cargo feature `utoipa`): the `paseto` security scheme
//! the guard attributes name on the handlers they document.

use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The name of the security scheme the attributes require: `paseto`.
pub const SECURITY_SCHEME: &str = "paseto";

/// Adds the `paseto` security scheme, HTTP bearer with `bearerFormat: PASETO`,
/// to an OpenAPI document: name it in `#[openapi(modifiers(&PasetoSecurity))]`.
///
/// A guarded handler that also carries `#[utoipa::path(...)]`, written below the
/// guard attribute, gets the `paseto` security requirement with its scopes (or
/// the optional form), and its 401 and 403 responses, unless it says them
/// itself.
///
/// ```
/// use paseto_runtime::openapi::PasetoSecurity;
/// use utoipa::OpenApi;
///
/// #[derive(OpenApi)]
/// #[openapi(modifiers(&PasetoSecurity))]
/// struct ApiDoc;
///
/// let document = ApiDoc::openapi();
/// let schemes = document.components.unwrap().security_schemes;
/// assert!(schemes.contains_key("paseto"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PasetoSecurity;

impl Modify for PasetoSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("PASETO")
            .description(Some(
                "A PASETO v4 access token: `Authorization: Bearer v4.local.…`",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(SECURITY_SCHEME, SecurityScheme::Http(scheme));
    }
}
