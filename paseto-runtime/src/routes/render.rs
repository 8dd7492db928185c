//! The route table as a reader sees it: Markdown, one row per route.

use std::fmt;

use super::{Guard, Requirement, RouteTable};
use crate::settings::TokenSource;

impl fmt::Display for RouteTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| method | path | requires | scopes | check | sources | CSRF |"
        )?;
        writeln!(f, "|---|---|---|---|---|---|---|")?;
        for route in &self.routes {
            let guards: &[Guard] = match &route.requirement {
                Requirement::Token(guards) | Requirement::PublicAndGuarded(guards) => guards,
                _ => &[],
            };
            let scopes: Vec<&str> = (guards.iter())
                .flat_map(|guard| guard.scopes.iter().map(String::as_str))
                .collect();
            let mut sources: Vec<&str> = Vec::new();
            for source in guards.iter().flat_map(|guard| &guard.sources) {
                let name = source_name(*source);
                if !sources.contains(&name) {
                    sources.push(name);
                }
            }
            writeln!(
                f,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                route.method,
                route.path,
                requires(&route.requirement),
                scopes.join(" "),
                yes(guards.iter().any(|guard| guard.check)),
                sources.join(", "),
                yes(guards.iter().any(|guard| guard.csrf)),
            )?;
        }
        Ok(())
    }
}

/// The "requires" cell.
fn requires(requirement: &Requirement) -> String {
    let tokens = |guards: &[Guard]| -> String {
        let names: Vec<String> = guards.iter().map(guard_name).collect();
        names.join(" + ")
    };
    match requirement {
        Requirement::Public => "public".to_owned(),
        Requirement::Token(guards) => tokens(guards),
        Requirement::ClientCredentials => "client credentials".to_owned(),
        Requirement::Unmarked => "**nothing, not marked public**".to_owned(),
        Requirement::PublicAndGuarded(guards) => {
            format!("**public, yet guarded:** {}", tokens(guards))
        }
    }
}

/// A guard as a reader names it: `optional fresh access`.
fn guard_name(guard: &Guard) -> String {
    let mut name = String::new();
    if guard.optional {
        name.push_str("optional ");
    }
    if guard.fresh {
        name.push_str("fresh ");
    }
    name.push_str(guard.token_type);
    name
}

fn source_name(source: TokenSource) -> &'static str {
    match source {
        TokenSource::Header => "header",
        TokenSource::Query => "WebSocket query",
        TokenSource::JsonBody => "JSON body",
        TokenSource::Cookie => "cookie",
    }
}

fn yes(flag: bool) -> &'static str {
    if flag { "yes" } else { "" }
}
