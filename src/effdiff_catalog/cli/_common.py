"""What every command group shares."""

from __future__ import annotations

import argparse
from typing import Callable

Command = Callable[[argparse.Namespace], int]
Add = Callable[..., argparse.ArgumentParser]  # add(name, func) -> the command's parser
