"""The peers of bench.sh --peers: Pyro's MNIST VAE as a plain PyTorch user and as a Pyro user
would write it, trained on the same IDX files SparkVAE reads, reporting samples/s per epoch.

Both follow Pyro's examples/vae/vae.py (784-400-50, softplus, a Bernoulli likelihood on grey levels
in [0, 1], one sampled z per example with the KL term sampled too, as Trace_ELBO does, Adam 1e-3,
minibatches of 256, shuffled every epoch). Written here, not fetched: Pyro's example is not on any
registry this project reaches (the pyro-ppl sdist has no examples/), and it downloads MNIST itself.
Minibatches are sliced from one tensor (no DataLoader, whose worker processes would measure
Python's multiprocessing rather than the network).

Output: one TSV line per epoch, "impl threads epoch seconds samples_per_sec train_neg_elbo"
(train_neg_elbo: the mean per-example loss of the epoch's minibatches, nats), and at the end
"impl threads test test_neg_elbo" on the 10,000 test images (one sampled z per image).
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    """The images of an IDX file (plain or gzip) as float32 [N, rows*cols] in [0, 1]."""
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        magic, count = struct.unpack(">II", f.read(8))
        if magic >> 8 != 0x08:
            sys.exit(f"peers: {path} is not an IDX file of unsigned bytes")
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range((magic & 0xFF) - 1)]
        size = int(np.prod(dims))
        data = np.frombuffer(f.read(count * size), dtype=np.uint8)
    if data.size != count * size:
        sys.exit(f"peers: {path} is truncated")
    return torch.from_numpy(data.reshape(count, size).astype(np.float32) / 255.0)


class Encoder(nn.Module):
    def __init__(self, x_dim, z_dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(x_dim, hidden)
        self.fc21 = nn.Linear(hidden, z_dim)
        self.fc22 = nn.Linear(hidden, z_dim)

    def forward(self, x):
        h = F.softplus(self.fc1(x))
        return self.fc21(h), torch.exp(self.fc22(h))


class Decoder(nn.Module):
    def __init__(self, x_dim, z_dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(z_dim, hidden)
        self.fc21 = nn.Linear(hidden, x_dim)

    def forward(self, z):
        """Bernoulli logits (the plain version) of each pixel."""
        return self.fc21(F.softplus(self.fc1(z)))


def plain_loss(encoder, decoder, x):
    """-ELBO summed over the minibatch with one sample of z; the KL term sampled, as Trace_ELBO."""
    loc, scale = encoder(x)
    z = loc + scale * torch.randn_like(loc)
    log_px = -F.binary_cross_entropy_with_logits(decoder(z), x, reduction="sum")
    log_pz = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum()
    log_qz = torch.distributions.Normal(loc, scale).log_prob(z).sum()
    return -(log_px + log_pz - log_qz)


def make_plain(x_dim, z_dim, hidden, lr):
    encoder, decoder = Encoder(x_dim, z_dim, hidden), Decoder(x_dim, z_dim, hidden)
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=lr)

    def step(x):
        optimizer.zero_grad()
        loss = plain_loss(encoder, decoder, x)
        loss.backward()
        optimizer.step()
        return loss.item()

    def evaluate(x):
        with torch.no_grad():
            return plain_loss(encoder, decoder, x).item()

    return step, evaluate


def make_pyro(x_dim, z_dim, hidden, lr):
    import pyro
    import pyro.distributions as dist
    from pyro.infer import SVI, Trace_ELBO
    from pyro.optim import Adam

    pyro.clear_param_store()
    encoder, decoder = Encoder(x_dim, z_dim, hidden), Decoder(x_dim, z_dim, hidden)

    def model(x):
        pyro.module("decoder", decoder)
        with pyro.plate("data", x.shape[0]):
            zeros = x.new_zeros((x.shape[0], z_dim))
            z = pyro.sample("latent", dist.Normal(zeros, torch.ones_like(zeros)).to_event(1))
            img = torch.sigmoid(decoder(z))
            pyro.sample("obs", dist.Bernoulli(img, validate_args=False).to_event(1), obs=x)

    def guide(x):
        pyro.module("encoder", encoder)
        with pyro.plate("data", x.shape[0]):
            loc, scale = encoder(x)
            pyro.sample("latent", dist.Normal(loc, scale).to_event(1))

    svi = SVI(model, guide, Adam({"lr": lr}), loss=Trace_ELBO())
    return svi.step, svi.evaluate_loss


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--impl", choices=["pytorch", "pyro"], required=True)
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = read_idx(os.path.join(a.data, "train-images-idx3-ubyte"))
    test = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte"))
    make = make_plain if a.impl == "pytorch" else make_pyro
    step, evaluate = make(train.shape[1], 50, 400, 1e-3)
    n = train.shape[0]
    for epoch in range(1, a.epochs + 1):
        order = torch.randperm(n)
        start, total = time.perf_counter(), 0.0
        for b in range(0, n, a.batch_size):
            total += step(train[order[b:b + a.batch_size]])
        seconds = time.perf_counter() - start
        print(f"{a.impl}\t{a.threads}\t{epoch}\t{seconds:.3f}\t{n / seconds:.1f}\t{total / n:.3f}", flush=True)
    test_loss = sum(evaluate(test[b:b + 1000]) for b in range(0, test.shape[0], 1000)) / test.shape[0]
    print(f"{a.impl}\t{a.threads}\ttest\t{test_loss:.3f}", flush=True)


if __name__ == "__main__":
    main()
