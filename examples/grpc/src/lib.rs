//! The example app's tokens on gRPC: a tonic `Greeter` service behind
//! [`GrpcGuardLayer`], with the same
//! configuration as the HTTP app, so that a token from its `/login` works
//! here and a logout there is seen here.
//!
//! - `WhoAmI`: any access token; answers its subject.
//! - `Admin`: an access token with the `admin` scope.
//! - `Watch`: a reply at once, then one a second, until the token expires or
//!   is revoked: then the stream ends with `UNAUTHENTICATED` and the reason.

pub mod proto;

use std::pin::Pin;
use std::time::Duration;

use paseto_runtime::PasetoAuth;
use paseto_runtime::config::ConfigError;
use paseto_runtime::layer::{GrpcGuardLayer, grpc_claims, grpc_methods};
use proto::greeter_server::{Greeter, GreeterServer};
use proto::{WhoAmIReply, WhoAmIRequest};
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

/// The guard: each method's requirement, checked when this compiles.
pub fn guard(auth: &PasetoAuth) -> Result<GrpcGuardLayer, ConfigError> {
    auth.grpc_guard()
        .methods(grpc_methods! {
            "/paseto.example.v1.Greeter/WhoAmI" => paseto_required,
            "/paseto.example.v1.Greeter/Admin" => paseto_required(scopes = ["admin"]),
            "/paseto.example.v1.Greeter/Watch" => paseto_required,
        })
        .build()
}

/// The service, over `auth`.
pub fn service(auth: PasetoAuth) -> GreeterServer<Service> {
    GreeterServer::new(Service { auth })
}

/// The `Greeter` methods.
#[derive(Clone, Debug)]
pub struct Service {
    auth: PasetoAuth,
}

/// The verified subject of a request the guard let through.
fn user<T>(request: &Request<T>) -> Result<String, Status> {
    grpc_claims(request.extensions())
        .map(|claims| claims.subject().to_owned())
        .ok_or_else(|| Status::unauthenticated("PASETO Authorization Token required"))
}

/// A stream of replies, or the status that ends it.
type Replies = Pin<Box<dyn Stream<Item = Result<WhoAmIReply, Status>> + Send>>;

#[tonic::async_trait]
impl Greeter for Service {
    async fn who_am_i(
        &self,
        request: Request<WhoAmIRequest>,
    ) -> Result<Response<WhoAmIReply>, Status> {
        Ok(Response::new(WhoAmIReply {
            user: user(&request)?,
        }))
    }

    async fn admin(
        &self,
        request: Request<WhoAmIRequest>,
    ) -> Result<Response<WhoAmIReply>, Status> {
        Ok(Response::new(WhoAmIReply {
            user: user(&request)?,
        }))
    }

    type WatchStream = Replies;

    async fn watch(
        &self,
        request: Request<WhoAmIRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let claims = grpc_claims(request.extensions())
            .cloned()
            .ok_or_else(|| Status::unauthenticated("PASETO Authorization Token required"))?;
        let (replies, received) = tokio::sync::mpsc::channel(4);
        let auth = self.auth.clone();
        tokio::spawn(async move {
            let reply = || {
                Ok(WhoAmIReply {
                    user: claims.subject().to_owned(),
                })
            };
            let ended = auth.until_invalid(&claims);
            tokio::pin!(ended);
            let mut every_second = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    error = &mut ended => {
                        let _ = replies.send(Err(Status::unauthenticated(error.to_string()))).await;
                        return;
                    }
                    _ = every_second.tick() => {
                        if replies.send(reply()).await.is_err() {
                            return; // the client left
                        }
                    }
                }
            }
        });
        let stream = tokio_stream::wrappers::ReceiverStream::new(received);
        Ok(Response::new(Box::pin(stream)))
    }
}
