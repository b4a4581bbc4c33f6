"""Training stage: load MNIST, build the tutorial MLP and the CNN, fit, evaluate, save."""
