//! A router's paths, read from its `Debug` output (axum lists no routes
//! otherwise), and a request path that each one matches.

use std::fmt::{Debug, Write};

/// The name axum gives the tail of a service nested with `nest_service`.
const NEST_TAIL: &str = "__private__axum_nest_tail_param";

/// The paths of an axum 0.8 `Router`, as its pretty `Debug` output lists them
/// under `path_router`, or `None` when that output is not a router's.
pub(super) fn of(router: &impl Debug) -> Option<Vec<String>> {
    let text = format!("{router:#?}");
    let mut lines = text.lines();
    lines.find(|line| *line == "    path_router: PathRouter {")?;
    lines.find(|line| *line == "        node: Node {")?;
    let first = lines.next()?;
    if first == "            paths: {}," {
        return Some(Vec::new());
    }
    if first != "            paths: {" {
        return None;
    }
    let mut paths = Vec::new();
    for line in lines {
        if line == "            }," {
            return Some(paths);
        }
        if let Some(literal) = line.trim_start().strip_prefix("): ") {
            paths.push(unescape(literal.strip_suffix(',')?)?);
        }
    }
    None
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

/// A request path the route `path` matches: each `{parameter}` is `1`, each
/// `{*wildcard}` is `x`, `{{` and `}}` are braces, and what a URI cannot
/// hold is percent-encoded.
pub(crate) fn placeholder(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(c) = rest.chars().next() {
        let (text, skip) = match c {
            '{' if rest.starts_with("{{") => ("{", 2),
            '}' if rest.starts_with("}}") => ("}", 2),
            '{' => match rest.find('}') {
                Some(end) if rest[1..].starts_with('*') => ("x", end + 1),
                Some(end) => ("1", end + 1),
                None => ("{", 1),
            },
            _ => (&rest[..c.len_utf8()], c.len_utf8()),
        };
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte) {
                out.push(char::from(byte));
            } else {
                let _ = write!(out, "%{byte:02X}");
            }
        }
        rest = &rest[skip..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{placeholder, shown, unescape};

    #[test]
    fn parameters_and_wildcards_get_values_a_router_matches() {
        assert_eq!(placeholder("/sessions/{id}"), "/sessions/1");
        assert_eq!(placeholder("/files/{*path}"), "/files/x");
        assert_eq!(placeholder("/a/{x}/b/{y}"), "/a/1/b/1");
        assert_eq!(placeholder("/literal/{{braces}}"), "/literal/%7Bbraces%7D");
        assert_eq!(placeholder("/caf\u{e9}"), "/caf%C3%A9");
        assert_eq!(placeholder("/open{"), "/open%7B");
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
