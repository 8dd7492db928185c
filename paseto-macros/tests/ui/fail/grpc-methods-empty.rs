use paseto_runtime::layer::grpc_methods;

fn main() {
    let _ = grpc_methods! {};
}
