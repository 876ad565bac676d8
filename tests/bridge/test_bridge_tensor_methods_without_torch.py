"""msbridge.bridge.tensor_methods must not need torch: a MindSpore program converted to torch and back keeps its
calls (``astype(x, mindspore.float32)``) and runs where torch is not installed (found on the ms -> torch -> ms
round trip of tests/convert/scripts/ms_resnet_lr.py, whose MindSpore run imported torch through this module)."""
import subprocess
import sys

PROGRAM = """
import sys
sys.modules["torch"] = None   # `import torch` raises ImportError, as where torch is not installed
import numpy as np
from msbridge.bridge import tensor_methods as tm
a = np.arange(6.0).reshape(2, 3)
print(tm.astype(a, "float32").dtype, tm.transpose(a, (1, 0)).shape, tm.max(a, axis=1).tolist())
"""


def test_bridge_tensor_methods_import_and_dispatch_without_torch():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["float32", "(3,", "2)", "[2.0,", "5.0]"]
