use paseto_runtime::paseto_required;

#[paseto_required]
struct Handler;

fn main() {}
