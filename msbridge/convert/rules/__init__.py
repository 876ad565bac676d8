"""Rewrites that are not one table row: paradigm bridges and framework idioms.

* ``optimizer_lr``: a MindSpore optimizer fed a per-step LR <-> a torch optimizer
  driven by ``msbridge.bridge.MindSporeLR`` stepped with every optimizer step;
* ``train_step``: the training-step idiom (``value_and_grad`` + ``optimizer(grads)``
  <-> ``zero_grad`` / ``backward`` / ``step``);
* ``methods``: methods of framework objects found by name, not by import
  (``construct``/``forward``, ``trainable_params()``/``parameters()``);
* ``param_groups``: optimizer parameter-group keys one framework would drop silently, weight
  decay that keeps the same decayed set, ``optimizer.param_groups['lr']`` on MindSpore;
* ``gradients``: whether a MindSpore step's gradients go anywhere but ``optimizer(grads)``;
* ``labels``: cross-entropy label dtypes (int64 in torch, int32 in MindSpore);
* ``callbacks``: the ``run_context`` of a user ``Callback`` subclass's hooks (MindSpore -> torch);
* ``loss_scale``: an optimizer given ``loss_scale`` goes to msbridge's MindSpore-shaped twin (to torch);
* ``twin_limits``: argument values msbridge's program twins refuse (``Model(amp_level='O2')``...) are review.
"""
