"""The exported VAE as a ``torch.nn.Module`` (imported only when torch is wanted)."""

from typing import Any, Tuple


def build_module(model: Any) -> Any:
    """A module whose ``state_dict`` keys are exactly the safetensors names of ``model``."""
    import torch
    from torch import nn

    cfg = model.config
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}.get(cfg.get("activation"), nn.Softplus)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            dims = [int(cfg["inputDim"])] + [int(h) for h in cfg["encoderHidden"]]
            for i in range(1, len(dims)):
                setattr(self, f"fc{i}", nn.Linear(dims[i - 1], dims[i]))
            self.fc_loc = nn.Linear(dims[-1], int(cfg["latentDim"]))
            self.fc_log_scale = nn.Linear(dims[-1], int(cfg["latentDim"]))
            self.depth = len(dims) - 1
            self.act = act()

        def forward(self, x: "torch.Tensor") -> Tuple["torch.Tensor", "torch.Tensor"]:
            h = x
            for i in range(1, self.depth + 1):
                h = self.act(getattr(self, f"fc{i}")(h))
            return self.fc_loc(h), torch.exp(self.fc_log_scale(h))

    class Decoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            dims = [int(cfg["latentDim"])] + [int(h) for h in cfg["decoderHidden"]]
            for i in range(1, len(dims)):
                setattr(self, f"fc{i}", nn.Linear(dims[i - 1], dims[i]))
            self.fc_out = nn.Linear(dims[-1], int(cfg["inputDim"]))
            if "decoder.log_std" in model.tensors:
                self.log_std = nn.Parameter(torch.zeros(int(cfg["inputDim"])))
            self.depth = len(dims) - 1
            self.act = act()
            self.bernoulli = cfg.get("likelihood", "bernoulli") == "bernoulli"

        def forward(self, z: "torch.Tensor") -> "torch.Tensor":
            h = z
            for i in range(1, self.depth + 1):
                h = self.act(getattr(self, f"fc{i}")(h))
            out = self.fc_out(h)
            return torch.sigmoid(out) if self.bernoulli else out

    class Vae(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = Encoder()
            self.decoder = Decoder()

        def forward(self, x: "torch.Tensor") -> Tuple["torch.Tensor", "torch.Tensor"]:
            return self.encoder(x)

        def decode(self, z: "torch.Tensor") -> "torch.Tensor":
            return self.decoder(z)

    module = Vae()
    state = {k: torch.from_numpy(v.copy()) for k, v in model.tensors.items()}
    module.load_state_dict(state, strict=True)
    return module.eval()
