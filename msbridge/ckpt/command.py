"""CLI piece: ``msbridge ckpt SRC -o DST [--model FILE.py:CLASS] [--to torch|mindspore]``.

``--model`` imports and runs the user's FILE.py (to build CLASS()). That executes their code, which
is acceptable only because they named the file explicitly on the command line; msbridge never
imports model code on its own, and checkpoint files themselves are never unpickled beyond tensors.
Frameworks are imported only when the command runs (``msbridge --help`` stays instant).
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from msbridge.errors import UserError

EXAMPLES = """\
examples:
  msbridge ckpt resnet.ckpt -o resnet.pt                      # MindSpore -> torch (direction from the files)
  msbridge ckpt model.pth -o model.ckpt --model net.py:Net    # torch -> MindSpore, matched to net.py's Net()
  msbridge ckpt model.safetensors -o model.ckpt --to mindspore
  msbridge ckpt train.ckpt -o resume.pt                       # weights + Momentum/Adam/Adagrad state + LR position
  msbridge ckpt run.pt -o run.ckpt --global-step 1200         # torch SGD state: it keeps no step count
  msbridge ckpt ddp.pt -o net.ckpt --strip-prefix module.     # (module. alone is stripped automatically)

Names and layouts come from the layers' parameter maps (the layer rows' params in mapping_tables/,
and mapping_tables/layer_params.toml for layers without a row).
Without --model, a parameter group that fits several layers differently (a bias-less 2-D
`weight`: Linear or Embedding?) is refused, naming it. --model FILE.py:CLASS imports FILE.py and
builds CLASS() with no arguments: it runs that file's code, so name only files you trust.

Training state: a MindSpore .ckpt saved from a training network (moments.*, moment1.*, adam_m.*,
accum.*, global_step, beta1_power, learning_rate...) becomes a torch dict {"model": state_dict,
"optimizer": optimizer.state_dict(), "global_step": N, "learning_rates": [...]}, and such a torch
dict ("optimizer"/"optimizer_state_dict", "scheduler", "global_step") becomes those MindSpore
entries. Momentum<->SGD(momentum), Adam<->Adam, Adagrad<->Adagrad. RMSProp<->RMSprop and
AdamWeightDecay<->AdamW are refused: different algorithms (rows optim.RMSProp, optim.AdamWeightDecay).
Hyperparameters a MindSpore file does not hold (betas, eps, weight_decay) are MindSpore's defaults,
and torch's load_state_dict applies them. --weights-only leaves the state out.
Wrapper prefixes: `module.` (DataParallel/DDP) and MindSpore's `network.`/`_backbone.` are stripped
when every name carries them; with --model the prefix is stripped or added to fit the model.
"""


def load_model(spec: str):
    """Build ``CLASS()`` from ``FILE.py:CLASS`` (runs the user's file: they named it)."""
    path_text, sep, class_name = spec.rpartition(":")
    if not sep or not path_text or not class_name.isidentifier():
        raise UserError(f"--model {spec!r}: expected FILE.py:CLASS")
    path = Path(path_text)
    if not path.is_file():
        raise UserError(f"--model {spec!r}: no such file {str(path)!r}")
    module_name = f"_msbridge_user_model_{abs(hash(str(path.resolve())))}"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.path.insert(0, str(path.resolve().parent))  # let the file import its siblings
    try:
        module_spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    cls = getattr(module, class_name, None)
    if cls is None:
        raise UserError(f"--model {spec!r}: {path.name} defines no {class_name!r}")
    try:
        return cls()
    except TypeError as exc:
        raise UserError(f"--model {spec!r}: {class_name}() needs arguments ({exc}); "
                              f"give a class that builds with none (e.g. a small subclass)") from None


def _run(args) -> int:
    from msbridge.bridge.checkpoint import atomic_target, convert_file

    src = Path(args.src)
    if not src.is_file():
        raise UserError(f"{src}: no such file")
    dst = atomic_target(args.output)
    model = load_model(args.model) if args.model else None
    conversion = convert_file(src, dst, to=args.to, model=model, optimizer=args.optimizer,
                              global_step=args.global_step, weights_only=args.weights_only,
                              strip_prefix=args.strip_prefix, add_prefix=args.add_prefix)
    print(f"wrote {dst} ({conversion.output_format}): {conversion.summary()}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ckpt", help="convert a checkpoint between MindSpore (.ckpt) and torch (.pt/.pth/.bin, .safetensors)",
        description="Convert model weights between MindSpore and torch checkpoint files.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", help="input checkpoint (.ckpt, .pt, .pth, .bin or .safetensors; read by content)")
    parser.add_argument("-o", "--output", required=True, help="output file; its extension sets the format")
    parser.add_argument("--model", metavar="FILE.py:CLASS",
                        help="the target framework's model class: match its parameter names and shapes exactly")
    parser.add_argument("--to", choices=("torch", "mindspore"),
                        help="target framework (default: from the file types)")
    parser.add_argument("--weights-only", action="store_true",
                        help="leave out the optimizer state and LR position even when the file holds them")
    parser.add_argument("--optimizer", metavar="NAME",
                        help="the optimizer whose state the file holds, where the file cannot tell "
                             "(torch Adam vs AdamW without decoupled_weight_decay); checked otherwise")
    parser.add_argument("--global-step", type=int, metavar="N",
                        help="updates so far, for torch SGD state (it keeps no step count) without a scheduler")
    parser.add_argument("--strip-prefix", metavar="PREFIX",
                        help="remove PREFIX (e.g. module.) from every weight name first")
    parser.add_argument("--add-prefix", metavar="PREFIX", help="put PREFIX in front of every weight name")
    parser.set_defaults(func=_run)
