//! A tiny client for the gRPC example: `greet <WhoAmI|Admin|Watch>` calls the
//! method on `127.0.0.1:$PORT` (default 50051) with the token in `$ACCESS`,
//! and prints each reply, or the status that refused it.

use std::error::Error;
use std::process::ExitCode;

use example_grpc::proto::WhoAmIRequest;
use example_grpc::proto::greeter_client::GreeterClient;
use tonic::{Request, Status};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(status)) => {
            println!("{:?}: {}", status.code(), status.message());
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The call's outcome as the server answered it, or why it could not be made.
async fn run() -> Result<Result<(), Status>, Box<dyn Error>> {
    let method = std::env::args().nth(1).unwrap_or_default();
    let port = std::env::var("PORT").unwrap_or_else(|_| "50051".to_owned());
    let mut client = GreeterClient::connect(format!("http://127.0.0.1:{port}")).await?;
    let mut request = Request::new(WhoAmIRequest {});
    if let Ok(token) = std::env::var("ACCESS") {
        let value = format!("Bearer {token}")
            .parse()
            .map_err(|_| "ACCESS is not a token")?;
        request.metadata_mut().insert("authorization", value);
    }
    Ok(match method.as_str() {
        "WhoAmI" => call(client.who_am_i(request).await),
        "Admin" => call(client.admin(request).await),
        "Watch" => match client.watch(request).await {
            Ok(replies) => {
                let mut replies = replies.into_inner();
                loop {
                    match replies.message().await {
                        Ok(Some(reply)) => println!("{{ \"user\": {:?} }}", reply.user),
                        Ok(None) => break Ok(()),
                        Err(status) => break Err(status),
                    }
                }
            }
            Err(status) => Err(status),
        },
        _ => return Err("usage: greet <WhoAmI|Admin|Watch>, with the token in ACCESS".into()),
    })
}

/// Prints a unary reply.
fn call(
    reply: Result<tonic::Response<example_grpc::proto::WhoAmIReply>, Status>,
) -> Result<(), Status> {
    let reply = reply?.into_inner();
    println!("{{ \"user\": {:?} }}", reply.user);
    Ok(())
}
