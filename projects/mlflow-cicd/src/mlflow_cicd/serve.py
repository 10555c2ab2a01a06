"""Serve ``models:/<name>@champion`` behind FastAPI, reloading when the alias moves."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

import mlflow
import pandas as pd
from fastapi import FastAPI, HTTPException
from mlflow import MlflowClient
from pydantic import BaseModel, Field

from mlflow_cicd.gate import CHAMPION, champion_version


@dataclass
class Loaded:
    """The model in memory and the registry version it came from."""

    version: int
    model: Any


class ChampionHolder:
    """Hold the champion in memory; reload it when the alias points at another version.

    The registry is asked at most once per ``poll_seconds``, so a promotion or a rollback
    reaches every replica within that delay, with no restart and no redeploy.
    """

    def __init__(self, client: MlflowClient, name: str, poll_seconds: float = 5.0) -> None:
        self.client, self.name, self.poll_seconds = client, name, poll_seconds
        self._loaded: Loaded | None = None
        self._checked_at = -float("inf")
        self._lock = threading.Lock()

    def current(self) -> Loaded:
        """Return the champion, reloading it if the alias moved since the last check.

        Raises:
            LookupError: The model or its champion alias does not exist (yet).

        """
        with self._lock:
            now = time.monotonic()
            if self._loaded is None or now - self._checked_at >= self.poll_seconds:
                version = champion_version(self.client, self.name)
                self._checked_at = now
                if version is None:
                    raise LookupError(f"model {self.name!r} has no {CHAMPION!r} alias yet")
                if self._loaded is None or self._loaded.version != version:
                    uri = f"models:/{self.name}/{version}"
                    self._loaded = Loaded(version, mlflow.pyfunc.load_model(uri))
            return self._loaded


class PredictRequest(BaseModel):
    """Tickets to route: 1 to 100 non-empty texts."""

    texts: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1, max_length=100)]


class Prediction(BaseModel):
    """One routed ticket."""

    label: str
    confidence: float


class PredictResponse(BaseModel):
    """The predictions and the registry version that made them."""

    model: str
    version: int
    predictions: list[Prediction]


def create_app(holder: ChampionHolder) -> FastAPI:
    """Build the API: ``GET /health`` and ``POST /predict``, both naming the served version."""
    app = FastAPI(title="ticket router", version="0.1.0")

    def champion() -> Loaded:
        try:
            return holder.current()
        except LookupError as error:
            raise HTTPException(status_code=503, detail=str(error)) from error

    @app.get("/health")
    def health() -> dict[str, Any]:
        loaded = champion()
        return {"status": "ok", "model": holder.name, "version": loaded.version}

    @app.post("/predict")
    def predict(request: PredictRequest) -> PredictResponse:
        loaded = champion()
        frame = loaded.model.predict(pd.DataFrame({"text": request.texts}))
        rows = [
            Prediction(label=str(r.label), confidence=float(r.confidence))
            for r in frame.itertuples()
        ]
        return PredictResponse(model=holder.name, version=loaded.version, predictions=rows)

    return app
