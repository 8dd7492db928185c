use paseto_runtime::layer::grpc_methods;

fn main() {
    let path = "/paseto.example.v1.Greeter/WhoAmI";
    let _ = grpc_methods! {
        path => paseto_required,
    };
}
