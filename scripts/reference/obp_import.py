"""Imports Open Bandit Pipeline 0.5.7 without PyTorch.

obp 0.5.7 pins torch 1.12 (no wheel for Python 3.11 here) and imports torch at
module load, but the estimators used by the policy references (IPW, SNIPW, DM,
DR, Switch-DR, RegressionModel with scikit-learn) never call it. A placeholder
`torch` module lets the real obp code load; anything that did use torch would
fail loudly. Install: pip install --no-deps --ignore-requires-python obp==0.5.7
plus numpy scipy scikit-learn pandas tqdm matplotlib seaborn pyyaml.
"""
import sys
import types


class _Placeholder(types.ModuleType):
    def __getattr__(self, k):
        if k.startswith("__"):
            raise AttributeError(k)
        if k[:1].isupper():              # torch.Tensor, nn.Module, ...: a class
            cls = type(k, (), {})
            setattr(self, k, cls)
            return cls
        m = _Placeholder(self.__name__ + "." + k)
        sys.modules[m.__name__] = m
        setattr(self, k, m)
        return m

    def __call__(self, *a, **k):
        raise RuntimeError("torch is a placeholder here: " + self.__name__)


for _n in ["torch", "torch.nn", "torch.optim", "torch.nn.functional", "torch.utils", "torch.utils.data"]:
    sys.modules[_n] = _Placeholder(_n)
sys.modules["torch"].nn = sys.modules["torch.nn"]
sys.modules["torch"].optim = sys.modules["torch.optim"]
sys.modules["torch.nn"].functional = sys.modules["torch.nn.functional"]
sys.modules["torch"].utils = sys.modules["torch.utils"]
sys.modules["torch.utils"].data = sys.modules["torch.utils.data"]

import obp  # noqa: E402,F401
from obp.ope import (  # noqa: E402,F401
    DirectMethod, DoublyRobust, InverseProbabilityWeighting, RegressionModel,
    SelfNormalizedInverseProbabilityWeighting, SwitchDoublyRobust)
