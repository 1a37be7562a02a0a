"""Benchmark 3 (issue 6): one training epoch of the network chapters, data held as tensors on the
device (overparam.networks.training.train) against the usual DataLoader over numpy arrays, converted batch by batch.

Runs on CUDA too when a GPU is visible (``--device cuda``).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from overparam.networks import models, training
from overparam.data import as_network_input, load_images


def reference_epoch(model, x_numpy, y_numpy, batch_size, device, seed):
    """The textbook loop: a DataLoader over CPU tensors, each batch moved to the device."""
    loader = DataLoader(TensorDataset(torch.as_tensor(x_numpy, dtype=torch.float32), torch.as_tensor(y_numpy)),
                        batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb.to(device)), yb.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = training.resolve_device(args.device)
    images = load_images("bundled-mnist", rng=np.random.default_rng(0))
    for architecture, width, batch in [("mlp", 256, 128), ("resnet20", 4, 32)]:
        x = as_network_input(images["x_train"][:2000], architecture)
        y = images["y_train"][:2000]
        data = {"x_train": torch.as_tensor(x, dtype=torch.float32, device=device),
                "y_train": torch.as_tensor(y, device=device)}
        timings = {}
        warm = models.build_model(architecture, width).to(device)  # first-call costs (threads, allocator)
        training.train(warm, data, training.TrainConfig(epochs=1, batch_size=batch), seed=0)
        reference_epoch(warm, x, y, batch, device, 0)
        for name in ("tensors on the device", "DataLoader"):
            torch.manual_seed(0)
            model = models.build_model(architecture, width).to(device)
            start = time.perf_counter()
            for epoch in range(3):
                if name == "DataLoader":
                    reference_epoch(model, x, y, batch, device, epoch)
                else:
                    training.train(model, data, training.TrainConfig(epochs=1, batch_size=batch), seed=epoch)
            if device.type == "cuda":
                torch.cuda.synchronize()
            timings[name] = (time.perf_counter() - start) / 3
        print(f"{architecture} width {width}, 2000 images, batch {batch}, {device}: "
              f"{timings['tensors on the device']:.3f} s/epoch vs DataLoader {timings['DataLoader']:.3f} s/epoch: "
              f"speed-up {timings['DataLoader'] / timings['tensors on the device']:.2f}x")


if __name__ == "__main__":
    main()
