use paseto_runtime::layer::grpc_methods;

fn is_admin() -> bool {
    true
}

fn main() {
    let _ = grpc_methods! {
        "Greeter/WhoAmI" => paseto_required,
        "/paseto.example.v1.Greeter/Admin" => paseto_required(scopes = ["two words"]),
        "/paseto.example.v1.Greeter/Admin" => public,
        "/paseto.example.v1.Greeter/Rotate" => paseto_required(refresh, scopes = ["admin"]),
        "/paseto.example.v1.Greeter/Maybe" => paseto_required(optional),
        "/paseto.example.v1.Greeter/Verify" => paseto_required(token_type = "email-verify"),
        "/paseto.example.v1.Greeter/Check" => fresh_paseto_required(check = is_admin),
        "/paseto.example.v1.Greeter/State" => paseto_required(state = ()),
        "/paseto.example.v1.Greeter/Open" => public(scopes = ["admin"]),
        "/paseto.example.v1.Greeter/Typo" => paseto_requred,
    };
}
