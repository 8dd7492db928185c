//! `paseto audit-diff`: what got weaker between two OpenAPI documents'
//! security requirements.
//!
//! An operation's requirement is its own `security` member, else the
//! document's top-level `security`, else none: a list of alternatives, any
//! one of which lets a request in, each naming schemes and the scopes each
//! needs. A new document is no weaker for an operation when every way in it
//! offers asks at least as much as some way in the old one did.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

/// The HTTP methods an OpenAPI path item may hold an operation under.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One way in: each scheme it names, with the scopes it needs there.
type Alternative = BTreeMap<String, Vec<String>>;

/// An operation's requirement: `None` when neither it nor the document says
/// one; an empty list, or one with an empty alternative, lets anyone in.
type Requirement = Option<Vec<Alternative>>;

/// One operation that got weaker, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The method, upper case.
    pub method: String,
    /// The path, as the document writes it.
    pub path: String,
    /// What got weaker.
    pub change: Change,
}

/// How an operation got weaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// It needed a token and now lets anyone in.
    MadePublic,
    /// A way in no longer names a scheme the old one needed.
    RequirementRemoved(String),
    /// A way in needs fewer scopes of a scheme.
    ScopeRemoved {
        /// The scheme, as the document names it.
        scheme: String,
        /// The scope no longer needed.
        scope: String,
    },
    /// A way in that asks less than every old one, in another shape.
    Weakened,
    /// A new operation whose document says nothing of its security.
    NewWithoutSecurity,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.method, self.path)?;
        match &self.change {
            Change::MadePublic => write!(f, "made public"),
            Change::RequirementRemoved(scheme) => write!(f, "requirement `{scheme}` removed"),
            Change::ScopeRemoved { scheme, scope } => {
                write!(f, "scope `{scope}` of `{scheme}` removed")
            }
            Change::Weakened => write!(f, "a way in asks less than before"),
            Change::NewWithoutSecurity => write!(f, "new operation without a `security` member"),
        }
    }
}

/// Every operation of `new` that got weaker than in `old`, in path then
/// method order; `Err` says why a document cannot be read, naming it `OLD`
/// or `NEW`.
pub fn diff(old: &Value, new: &Value) -> Result<Vec<Finding>, String> {
    let old = operations(old).map_err(|e| format!("OLD: {e}"))?;
    let new = operations(new).map_err(|e| format!("NEW: {e}"))?;
    let mut findings = Vec::new();
    for ((path, method), requirement) in &new {
        let finding = |change| Finding {
            method: method.to_uppercase(),
            path: path.clone(),
            change,
        };
        match (old.get(&(path.clone(), method.clone())), requirement) {
            (None, None) => findings.push(finding(Change::NewWithoutSecurity)),
            (None, Some(_)) => {}
            (Some(before), after) => {
                findings.extend(weakened(before, after).into_iter().map(finding));
            }
        }
    }
    Ok(findings)
}

/// How `after` asks less than `before`: nothing when it asks as much.
fn weakened(before: &Requirement, after: &Requirement) -> Vec<Change> {
    if is_open(before) {
        return Vec::new();
    }
    let (Some(before), Some(after)) = (before, after) else {
        return vec![Change::MadePublic];
    };
    if is_open(&Some(after.clone())) {
        return vec![Change::MadePublic];
    }
    let mut changes = Vec::new();
    for way in after {
        if before.iter().any(|old| asks_at_least(way, old)) {
            continue;
        }
        // Said against the old way that shares the most schemes.
        let closest = before.iter().max_by_key(|old| {
            old.keys()
                .filter(|scheme| way.contains_key(*scheme))
                .count()
        });
        let Some(closest) = closest else { continue };
        let before_len = changes.len();
        for (scheme, scopes) in closest {
            match way.get(scheme) {
                None => changes.push(Change::RequirementRemoved(scheme.clone())),
                Some(kept) => {
                    let removed = scopes.iter().filter(|scope| !kept.contains(scope));
                    changes.extend(removed.map(|scope| Change::ScopeRemoved {
                        scheme: scheme.clone(),
                        scope: scope.clone(),
                    }));
                }
            }
        }
        if changes.len() == before_len {
            changes.push(Change::Weakened);
        }
    }
    changes.dedup();
    changes
}

/// Whether a requirement lets anyone in: none said, no alternative, or an
/// empty one (`security: [{}]`, the token optional).
fn is_open(requirement: &Requirement) -> bool {
    requirement
        .as_ref()
        .is_none_or(|ways| ways.is_empty() || ways.iter().any(BTreeMap::is_empty))
}

/// Whether the way in `new` asks at least what `old` did: every scheme, with
/// every scope.
fn asks_at_least(new: &Alternative, old: &Alternative) -> bool {
    old.iter().all(|(scheme, scopes)| {
        new.get(scheme)
            .is_some_and(|kept| scopes.iter().all(|scope| kept.contains(scope)))
    })
}

/// Every operation of an OpenAPI 3.x document, by path and method, with its
/// requirement.
fn operations(document: &Value) -> Result<BTreeMap<(String, String), Requirement>, String> {
    let document = document
        .as_object()
        .ok_or("not an OpenAPI document: a JSON object is expected")?;
    let version = match document.get("openapi") {
        Some(Value::String(version)) => version,
        _ if document.contains_key("swagger") => {
            return Err("a Swagger 2.0 document: OpenAPI 3.x is expected".to_owned());
        }
        _ => return Err("not an OpenAPI document: it has no `openapi` version".to_owned()),
    };
    if !version.starts_with("3.") {
        return Err(format!("OpenAPI {version}: OpenAPI 3.x is expected"));
    }
    let default = match document.get("security") {
        Some(security) => Some(requirement(security).map_err(|e| format!("top-level {e}"))?),
        None => None,
    };
    let paths = match document.get("paths") {
        Some(Value::Object(paths)) => paths,
        Some(_) => return Err("`paths` is not an object".to_owned()),
        // OpenAPI 3.1 makes `paths` optional (a document of webhooks).
        None if version.starts_with("3.0") => {
            return Err(format!(
                "OpenAPI {version} requires `paths`, and it has none"
            ));
        }
        None => return Ok(BTreeMap::new()),
    };
    let mut operations = BTreeMap::new();
    // `x-…` members of the Paths object are extensions, not paths.
    for (path, item) in paths.iter().filter(|(path, _)| !path.starts_with("x-")) {
        let item = path_item(path, item)?;
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let operation = operation.as_object().ok_or_else(|| {
                format!(
                    "{} {path}: the operation is not an object",
                    method.to_uppercase()
                )
            })?;
            let own = match operation.get("security") {
                Some(security) => Some(
                    requirement(security)
                        .map_err(|e| format!("{} {path}: {e}", method.to_uppercase()))?,
                ),
                None => default.clone(),
            };
            operations.insert((path.clone(), method.to_owned()), own);
        }
    }
    Ok(operations)
}

/// The path item under `path`, refused where this reading would be wrong.
fn path_item<'a>(path: &str, item: &'a Value) -> Result<&'a Map<String, Value>, String> {
    let item = item
        .as_object()
        .ok_or_else(|| format!("{path}: the path item is not an object"))?;
    if item.contains_key("$ref") {
        return Err(format!(
            "{path}: a path item `$ref` is not followed; give the document with its paths resolved"
        ));
    }
    if item.contains_key("security") {
        return Err(format!(
            "{path}: `security` on a path item is not OpenAPI (only operations and the document have one); move it to each operation"
        ));
    }
    Ok(item)
}

/// Reads a `security` member: a list of requirement objects, each naming
/// schemes and their scopes.
fn requirement(security: &Value) -> Result<Vec<Alternative>, String> {
    let ways = security
        .as_array()
        .ok_or("`security` is not a list of requirement objects")?;
    ways.iter()
        .map(|way| {
            let way = way
                .as_object()
                .ok_or("a security requirement is not an object")?;
            if way.contains_key("$ref") {
                return Err(
                    "a security requirement names schemes; a `$ref` cannot stand for one"
                        .to_owned(),
                );
            }
            way.iter()
                .map(|(scheme, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .and_then(|scopes| {
                            scopes
                                .iter()
                                .map(|scope| scope.as_str().map(str::to_owned))
                                .collect::<Option<Vec<_>>>()
                        })
                        .ok_or_else(|| {
                            format!("the scopes of `{scheme}` are not a list of strings")
                        })?;
                    Ok((scheme.clone(), scopes))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document(paths: &Value) -> Value {
        json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" }, "paths": paths })
    }

    fn changes(old: &Value, new: &Value) -> Vec<String> {
        diff(&document(old), &document(new))
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn what_asks_as_much_or_more_is_no_finding() {
        let old = json!({ "/a": { "get": { "security": [{ "paseto": ["read"] }] } } });
        let same = old.clone();
        let more = json!({ "/a": { "get": { "security": [{ "paseto": ["read", "write"] }] } } });
        let both = json!({ "/a": { "get": { "security": [{ "paseto": ["read"], "mtls": [] }] } } });
        let gone = json!({});
        for new in [same, more, both, gone] {
            assert_eq!(changes(&old, &new), Vec::<String>::new(), "{new}");
        }
        let open = json!({ "/h": { "get": { "security": [] } } });
        let guarded = json!({ "/h": { "get": { "security": [{ "paseto": [] }] } } });
        assert!(
            changes(&open, &guarded).is_empty(),
            "guarding an open route"
        );
    }

    #[test]
    fn each_weakening_is_named() {
        let old = json!({
            "/admin": { "get": { "security": [{ "paseto": ["admin"] }] } },
            "/me": { "delete": { "security": [{ "paseto": [], "mtls": [] }] } },
            "/h": { "post": { "security": [{ "paseto": [] }] } },
            "/o": { "get": { "security": [{ "paseto": [] }] } },
            "/x": { "put": { "security": [{ "paseto": [] }] } }
        });
        let new = json!({
            "/admin": { "get": { "security": [{ "paseto": [] }] } },
            "/me": { "delete": { "security": [{ "paseto": [] }] } },
            "/h": { "post": { "security": [] } },
            "/o": { "get": { "security": [{}, { "paseto": [] }] } },
            "/x": { "put": { "description": "its security forgotten" } },
            "/new": { "get": {}, "post": { "security": [] } }
        });
        assert_eq!(
            changes(&old, &new),
            [
                "GET /admin: scope `admin` of `paseto` removed",
                "POST /h: made public",
                "DELETE /me: requirement `mtls` removed",
                "GET /new: new operation without a `security` member",
                "GET /o: made public",
                "PUT /x: made public",
            ]
        );
    }

    #[test]
    fn the_top_level_default_applies_where_an_operation_says_none() {
        let mut old = document(&json!({ "/a": { "get": {} } }));
        old["security"] = json!([{ "paseto": [] }]);
        let new = document(&json!({ "/a": { "get": {} }, "/b": { "get": {} } }));
        let findings: Vec<String> = diff(&old, &new)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            findings,
            [
                "GET /a: made public",
                "GET /b: new operation without a `security` member"
            ]
        );
        let mut kept = new.clone();
        kept["security"] = json!([{ "paseto": [] }]);
        assert!(diff(&old, &kept).unwrap().is_empty());
    }

    #[test]
    fn what_cannot_be_read_right_is_refused() {
        let good = document(&json!({}));
        let cases = [
            (json!([]), "a JSON object"),
            (json!({ "swagger": "2.0", "paths": {} }), "Swagger 2.0"),
            (
                json!({ "openapi": "2.0", "paths": {} }),
                "OpenAPI 3.x is expected",
            ),
            (json!({ "paths": {} }), "no `openapi` version"),
            (json!({ "openapi": "3.0.3" }), "requires `paths`"),
            (
                json!({ "openapi": "3.1.0", "paths": [] }),
                "`paths` is not an object",
            ),
            (
                json!({ "openapi": "3.1.0", "paths": { "/a": { "$ref": "#/components/pathItems/a" } } }),
                "`$ref` is not followed",
            ),
            (
                json!({ "openapi": "3.1.0", "paths": { "/a": { "security": [], "get": {} } } }),
                "on a path item is not OpenAPI",
            ),
            (
                json!({ "openapi": "3.1.0", "paths": { "/a": { "get": { "security": [{ "$ref": "#/x" }] } } } }),
                "a `$ref` cannot stand",
            ),
            (
                json!({ "openapi": "3.1.0", "paths": { "/a": { "get": { "security": { "paseto": [] } } } } }),
                "not a list of requirement objects",
            ),
            (
                json!({ "openapi": "3.1.0", "paths": { "/a": { "get": { "security": [{ "paseto": [1] }] } } } }),
                "not a list of strings",
            ),
            (
                json!({ "openapi": "3.1.0", "paths": { "/a": { "get": 7 } } }),
                "not an object",
            ),
        ];
        for (bad, said) in cases {
            let error = diff(&good, &bad).unwrap_err();
            assert!(
                error.starts_with("NEW: ") && error.contains(said),
                "{bad}: {error}"
            );
            let error = diff(&bad, &good).unwrap_err();
            assert!(error.starts_with("OLD: "), "{error}");
        }
        // Extensions among the paths are not paths.
        let extended = json!({ "openapi": "3.0.3", "paths": { "x-owner": "team", "/a": { "get": { "security": [] } } } });
        assert!(diff(&extended, &extended).unwrap().is_empty());
        // OpenAPI 3.1 without `paths`: no operation, nothing weaker.
        let webhooks = json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" } });
        assert!(diff(&webhooks, &webhooks).unwrap().is_empty());
    }
}
