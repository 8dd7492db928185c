"""fastapi-paseto's "Refresh Tokens" example app, as its documentation gives it
but for these changes:

- `load_config` returns pairs, since the documented dict fails at import in
  fastapi-paseto 0.7.1 ("Config must be pydantic 'BaseSettings' or list of
  tuple");
- each `AUTHPASETO_*` environment variable set overrides the config, its name
  lowercased into the option (`AUTHPASETO_SECRET_KEY=...` gives
  `authpaseto_secret_key`; values are strings, so only string options can be
  set); with none set the config is the page's, secret "secret";
- from the "Freshness Tokens" page: `/login` issues a fresh access token
  (`create_access_token(subject=..., fresh=True)`), and `GET /protected-fresh`
  takes only fresh ones (`paseto_required(fresh=True)`). `/refresh` stays the
  "Refresh Tokens" page's, which requires a refresh token (the "Freshness Tokens"
  page's requires a fresh access token instead) and issues a non-fresh one.

It is the service `scripts/throughput` compares against (with the default
config), and the peer `tests/interop/fastapi_interop.py` runs the example app
against (`scripts/interop`).

Run: uvicorn fastapi_app:app (from this folder, in the venv `scripts/common.sh`'s
`fastapi_venv` makes).
"""

import os

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi_paseto import AuthPASETO
from fastapi_paseto.exceptions import AuthPASETOException
from pydantic import BaseModel

app = FastAPI()


class User(BaseModel):
    username: str
    password: str


@AuthPASETO.load_config
def get_config():
    config = {"authpaseto_secret_key": "secret"}
    for name, value in os.environ.items():
        if name.startswith("AUTHPASETO_"):
            config[name.lower()] = value
    return list(config.items())


@app.exception_handler(AuthPASETOException)
def authpaseto_exception_handler(request: Request, exc: AuthPASETOException):
    return JSONResponse(status_code=exc.status_code, content={"detail": exc.message})


@app.post("/login")
def login(user: User, Authorize: AuthPASETO = Depends()):
    if user.username != "test" or user.password != "test":
        raise HTTPException(status_code=401, detail="Bad username or password")
    access_token = Authorize.create_access_token(subject=user.username, fresh=True)
    refresh_token = Authorize.create_refresh_token(subject=user.username)
    return {"access_token": access_token, "refresh_token": refresh_token}


@app.post("/refresh")
def refresh(Authorize: AuthPASETO = Depends()):
    Authorize.paseto_required(refresh_token=True)
    current_user = Authorize.get_subject()
    new_access_token = Authorize.create_access_token(subject=current_user)
    return {"access_token": new_access_token}


@app.get("/protected")
def protected(Authorize: AuthPASETO = Depends()):
    Authorize.paseto_required()
    current_user = Authorize.get_subject()
    return {"user": current_user}


@app.get("/protected-fresh")
def protected_fresh(Authorize: AuthPASETO = Depends()):
    Authorize.paseto_required(fresh=True)
    current_user = Authorize.get_subject()
    return {"user": current_user}
