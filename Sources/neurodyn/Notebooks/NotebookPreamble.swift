import RunOutput

/// The first code cell of every notebook Neurodyn writes (headline experiments and --out runs): imports, and `save`, which writes a figure
/// atomically (a temporary file renamed over the PNG).
let notebookPreamble = NotebookDocument.Cell.code(#"""
    import json, os
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def save(fig, name):
        fig.savefig("." + name + ".tmp.png", dpi=110)
        os.replace("." + name + ".tmp.png", name + ".png")

    def load(name):
        with open(name) as f:
            return json.load(f)

    def csv(name):
        return np.genfromtxt(name, delimiter=",", names=True, dtype=None, encoding="utf-8")
    """#)
