"""Model: configuration and presets, scaling, networks, the GAN, anchors and the value map."""
