"""The learned detector at run time: sub-word encoding, the ONNX session, batching (no torch)."""
