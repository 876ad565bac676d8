"""torch.backends.cuda.matmul's flags (torch's defaults).

They let CUDA matmuls trade float32 precision for speed; a CPU run computes the same either way and
MindSpore has no per-process counterpart, so they are plain attributes a ported script may set and read.
"""
allow_tf32 = False
allow_fp16_reduced_precision_reduction = True
allow_bf16_reduced_precision_reduction = True
