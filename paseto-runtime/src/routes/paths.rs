//! A router's paths, read from its `Debug` output (axum lists no routes
//! otherwise), and a request path that each one matches.

use std::fmt::{Debug, Write};

/// The name axum gives the tail of a service nested with `nest_service`.
const NEST_TAIL: &str = "__private__axum_nest_tail_param";

/// What a router's `Debug` output says of its routes.
pub(super) struct Listing {
    /// The paths, as the router was given them.
    pub(super) paths: Vec<String>,
    /// Whether a fallback of the application's answers unmatched paths.
    pub(super) fallback: bool,
}

/// The paths of an axum 0.8 `Router`, as its pretty `Debug` output lists them
/// under `path_router`, and whether it has a fallback of its own; `None` when
/// that output is not a router's.
pub(super) fn of(router: &impl Debug) -> Option<Listing> {
    let text = format!("{router:#?}");
    let mut lines = text.lines();
    lines.find(|line| *line == "    path_router: PathRouter {")?;
    lines.find(|line| *line == "        node: Node {")?;
    let mut paths = Vec::new();
    match lines.next()? {
        "            paths: {}," => {}
        "            paths: {" => loop {
            let line = lines.next()?;
            if line == "            }," {
                break;
            }
            if let Some(literal) = line.trim_start().strip_prefix("): ") {
                paths.push(unescape(literal.strip_suffix(',')?)?);
            }
        },
        _ => return None,
    }
    let fallback = match lines.find(|line| line.starts_with("    default_fallback: "))? {
        "    default_fallback: true," => false,
        "    default_fallback: false," => true,
        _ => return None,
    };
    Some(Listing { paths, fallback })
}

/// The string a `Debug`-formatted string literal stands for.
fn unescape(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            'u' => {
                let rest = chars.as_str().strip_prefix('{')?;
                let (hex, after) = rest.split_once('}')?;
                chars = after.chars();
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
            }
            other => other,
        });
    }
    Some(out)
}

/// The path as the table shows it: a nested service's tail named `rest`.
pub(super) fn shown(path: &str) -> String {
    path.replace(NEST_TAIL, "rest")
}

/// A request path that the route `path` matches and no other of `paths`
/// does: a path without parameters is its own (a router prefers it to any
/// parameter); otherwise each `{parameter}` and `{*wildcard}` is the same
/// digit, the first of 1 to 9 that no other route could be asked with;
/// `None` when none is left.
pub(super) fn probe(path: &str, paths: &[String]) -> Option<String> {
    let fixed = placeholder(path, '1');
    if fixed == placeholder(path, '2') {
        return Some(fixed);
    }
    ('1'..='9')
        .map(|digit| placeholder(path, digit))
        .find(|uri| {
            (paths.iter().filter(|other| *other != path))
                .all(|other| ('1'..='9').all(|digit| placeholder(other, digit) != *uri))
        })
}

/// The request path of the route `path` with `digit` for each parameter and
/// wildcard, `{{` and `}}` as braces, and only what a URI cannot hold raw
/// (space, `#`, `?`, `<`, `>`, `` ` ``, controls) percent-encoded: axum
/// matches paths as they arrive.
fn placeholder(path: &str, digit: char) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(c) = rest.chars().next() {
        let (c, skip) = match c {
            '{' if rest.starts_with("{{") => ('{', 2),
            '}' if rest.starts_with("}}") => ('}', 2),
            '{' => rest.find('}').map_or(('{', 1), |end| (digit, end + 1)),
            c => (c, c.len_utf8()),
        };
        if matches!(c, ' ' | '#' | '?' | '<' | '>' | '`') || c.is_ascii_control() {
            let _ = write!(out, "%{:02X}", u32::from(c));
        } else {
            out.push(c);
        }
        rest = &rest[skip..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{placeholder, probe, shown, unescape};

    #[test]
    fn parameters_and_wildcards_get_values_the_router_matches_as_sent() {
        assert_eq!(placeholder("/sessions/{id}", '1'), "/sessions/1");
        assert_eq!(placeholder("/files/{*path}", '2'), "/files/2");
        assert_eq!(placeholder("/a/{x}/b/{y}", '1'), "/a/1/b/1");
        assert_eq!(placeholder("/literal/{{braces}}", '1'), "/literal/{braces}");
        assert_eq!(placeholder("/caf\u{e9}|[x]", '1'), "/caf\u{e9}|[x]");
        assert_eq!(placeholder("/a b#c?d", '1'), "/a%20b%23c%3Fd");
        assert_eq!(placeholder("/open{", '1'), "/open{");
    }

    #[test]
    fn a_probe_never_lands_on_another_route() {
        let paths = |list: &[&str]| list.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
        let routes = paths(&["/files/{name}", "/files/1", "/files/2"]);
        assert_eq!(probe("/files/{name}", &routes).as_deref(), Some("/files/3"));
        assert_eq!(probe("/files/1", &routes).as_deref(), Some("/files/1"));
        let routes = paths(&["/files/{name}", "/files/{{name}}"]);
        assert_eq!(
            probe("/files/{{name}}", &routes).as_deref(),
            Some("/files/{name}")
        );
        let crowded: Vec<String> = ["/x/{id}".to_owned()]
            .into_iter()
            .chain((1..=9).map(|n| format!("/x/{n}")))
            .collect();
        assert_eq!(probe("/x/{id}", &crowded), None);
    }

    #[test]
    fn debug_literals_read_back() {
        assert_eq!(unescape(r#""/a\"b\\c""#).as_deref(), Some("/a\"b\\c"));
        assert_eq!(unescape(r#""/x\u{7f}""#).as_deref(), Some("/x\u{7f}"));
        assert_eq!(unescape("/no-quotes"), None);
        assert_eq!(unescape(r#""/bad\u{zz}""#), None);
    }

    #[test]
    fn a_nested_service_tail_is_named_rest() {
        assert_eq!(
            shown("/assets/{*__private__axum_nest_tail_param}"),
            "/assets/{*rest}"
        );
    }
}
