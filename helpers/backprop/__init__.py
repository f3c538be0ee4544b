"""backprop: the numpy autograd engine, data sets, training loop, plots and widgets of the course."""
