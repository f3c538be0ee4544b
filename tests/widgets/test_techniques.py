"""Chapter 01 widgets: the graph layout, the step-by-step backward pass and the optimizer paths (no browser)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop import Value  # noqa: E402
from backprop.widgets import techniques as tw  # noqa: E402


def small_graph():
    """L = tanh(x*y + z) * x, with x used twice (the example of notebook 01)."""
    x, y, z = Value(0.5, label="x"), Value(-1.5, label="y"), Value(2.0, label="z")
    q = x * y
    s = q + z
    t = s.tanh()
    return (t * x), (x, y, z)


def loss_of(x, y, z):
    return np.tanh(x * y + z) * x


def test_layout_puts_every_input_left_of_its_users():
    root, _ = small_graph()
    nodes, positions, edges = tw.graph_layout(root)
    assert len(nodes) == len(positions) == 7
    assert len(edges) == sum(len(n._prev) for n in nodes)
    for parent, child in edges:
        assert positions[parent][0] < positions[child][0]
    assert len(set(positions)) == len(positions), "two nodes drawn on top of each other"


def test_backward_steps_end_with_the_finite_difference_gradients():
    root, (x, y, z) = small_graph()
    steps = tw.backward_steps(root)
    nodes = root.topological_order()
    assert all(n.grad == 0.0 for n in nodes), "stepping must not touch the nodes' own .grad"
    final = dict(zip(map(id, nodes), steps[-1]["grads"]))
    eps = 1e-6
    point = np.array([0.5, -1.5, 2.0])
    for i, leaf in enumerate((x, y, z)):
        up, down = point.copy(), point.copy()
        up[i] += eps
        down[i] -= eps
        numeric = (loss_of(*up) - loss_of(*down)) / (2 * eps)
        assert final[id(leaf)] == pytest.approx(numeric, rel=1e-7)
    root.backward()
    assert steps[-1]["grads"] == pytest.approx([n.grad for n in nodes])


def test_one_step_per_computed_node_and_a_seed_step():
    root, (x, _, _) = small_graph()
    steps = tw.backward_steps(root)
    computed = [n for n in root.topological_order() if n._prev]
    assert len(steps) == len(computed) + 1
    assert steps[0]["grads"][-1] == 1.0 and sum(steps[0]["grads"]) == 1.0
    updates_of_x = [line for s in steps for line in s["lines"] if line.startswith("x.grad")]
    assert len(updates_of_x) == 2, "x is used twice, so it must be updated twice"


def test_reused_node_sums_its_paths():
    x = Value(3.0, label="x")
    steps = tw.backward_steps(x * x)
    assert steps[-1]["grads"][0] == pytest.approx(6.0)


def test_draw_graph_draws_one_box_per_node():
    root, _ = small_graph()
    fig, ax = plt.subplots()
    tw.draw_graph(root, ax=ax, highlight=2)
    boxes = [t for t in ax.texts if "value" in t.get_text()]
    assert len(boxes) == len(root.topological_order())
    assert sum("grad 0\n" in t.get_text() + "\n" for t in boxes) == len(boxes)  # before backward: every grad 0
    assert ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize("name", sorted(tw.SURFACES))
def test_surface_gradients_match_finite_differences(name):
    fn = tw.SURFACES[name]["fn"]
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = rng.uniform(-2, 2, size=2)
        numeric = [(fn(p + e)[0] - fn(p - e)[0]) / 2e-6 for e in np.eye(2) * 1e-6]
        assert fn(p)[1] == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    assert fn(np.array(tw.SURFACES[name]["minimum"]))[0] == pytest.approx(0.0)


def test_gradient_descent_path_follows_the_update_rule():
    path, losses = tw.optimizer_path("gradient descent", "elongated quadratic", lr=0.01, steps=5)
    p = np.array(tw.SURFACES["elongated quadratic"]["start"])
    for k in range(5):
        p = p - 0.01 * np.array([p[0], 50.0 * p[1]])
        assert path[k + 1] == pytest.approx(p)
    assert losses[-1] == pytest.approx(0.5 * (p[0] ** 2 + 50 * p[1] ** 2))


def test_momentum_path_follows_the_heavy_ball_rule():
    path, _ = tw.optimizer_path("momentum (0.9)", "Rosenbrock", lr=0.001, steps=4)
    p, v = np.array(tw.SURFACES["Rosenbrock"]["start"]), np.zeros(2)
    for k in range(4):
        v = 0.9 * v + tw.rosenbrock(p)[1]
        p = p - 0.001 * v
        assert path[k + 1] == pytest.approx(p)


def test_first_adam_step_moves_every_coordinate_by_the_learning_rate():
    path, _ = tw.optimizer_path("Adam", "elongated quadratic", lr=0.1, steps=1)
    assert np.abs(path[1] - path[0]) == pytest.approx([0.1, 0.1], rel=1e-6)


def test_a_diverging_run_stops_and_is_padded_with_nan():
    path, losses = tw.optimizer_path("gradient descent", "elongated quadratic", lr=1.0, steps=300)
    assert np.isnan(losses[-1]) and np.isnan(path[-1]).all()
    assert np.isfinite(losses[0])


def test_unknown_names_are_refused_with_the_options():
    with pytest.raises(ValueError, match="Adam"):
        tw.optimizer_path("adamw", "Rosenbrock", 0.1, 10)
    with pytest.raises(ValueError, match="Rosenbrock"):
        tw.optimizer_path("Adam", "himmelblau", 0.1, 10)


def test_widgets_build_and_respond_to_their_controls():
    root, _ = small_graph()
    stepper = tw.backward_stepper(root)
    slider = stepper.children[0].children[1]
    text = stepper.children[1]
    first = text.value
    slider.value = slider.max
    assert text.value != first and "x.grad" in text.value

    explorer = tw.optimizer_paths(steps=20)
    controls = explorer.children[0].children[0].children
    controls[1].value = 0.01  # the learning-rate slider redraws without error
    controls[0].value = "Rosenbrock"
    plt.close("all")
