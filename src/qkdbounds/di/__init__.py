"""The device-independent side (paper 2 and the DI convex-combination attacks)."""
