use paseto_runtime::keys::LocalKey;
use paseto_runtime::layer::{Need, grpc_methods};
use paseto_runtime::PasetoAuth;

fn main() {
    let methods = grpc_methods! {
        "/paseto.example.v1.Greeter/WhoAmI" => paseto_required,
        "/paseto.example.v1.Greeter/Admin" => paseto_required(scopes = ["admin", "orders:write"]),
        "/paseto.example.v1.Greeter/Rotate" => paseto_required(refresh),
        "/paseto.example.v1.Greeter/Password" => fresh_paseto_required(scopes = ["admin"]),
        "/paseto.example.v1.Greeter/Renamed" => paseto_required(crate = "::paseto_runtime"),
        "/grpc.health.v1.Health/Check" => public,
    };
    assert_eq!(
        methods,
        [
            ("/paseto.example.v1.Greeter/WhoAmI", Need::Access(vec![])),
            (
                "/paseto.example.v1.Greeter/Admin",
                Need::Access(vec!["admin".into(), "orders:write".into()])
            ),
            ("/paseto.example.v1.Greeter/Rotate", Need::Refresh),
            (
                "/paseto.example.v1.Greeter/Password",
                Need::FreshAccess(vec!["admin".into()])
            ),
            ("/paseto.example.v1.Greeter/Renamed", Need::Access(vec![])),
            ("/grpc.health.v1.Health/Check", Need::Nothing),
        ]
    );
    let auth = PasetoAuth::builder()
        .local_key(LocalKey::generate().unwrap())
        .build()
        .unwrap();
    auth.grpc_guard().methods(methods).build().unwrap();
}
