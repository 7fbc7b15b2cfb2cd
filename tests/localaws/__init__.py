"""localaws: moto's server plus a simulation of the SageMaker hosting lifecycle (docs/localaws.md)."""

from .config import Config
from .server import LocalAWS, control, start

__all__ = ["Config", "LocalAWS", "control", "start"]
