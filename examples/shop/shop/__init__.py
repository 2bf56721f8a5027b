"""A tiny shop whose order jobs run in child processes: an example for codemods."""

from .cart import Cart
from .courier import Courier
