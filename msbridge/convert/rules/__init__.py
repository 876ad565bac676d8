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
* ``twin_limits``: argument values msbridge's program twins refuse (``Model(amp_level='O2')``...) are review;
* ``containers``: ``SequentialCell``/``CellList``/``CellDict`` <-> ``Sequential``/``ModuleList``/``ModuleDict``
  arguments (a list unpacked for torch, wrapped for MindSpore) and ``Parameter``;
* ``layer_init``: a MindSpore layer's ``weight_init=``/``bias_init=``... applied after the torch layer is built;
* ``operator_instances`` / ``primitives``: ``self.mean = ops.ReduceMean(keep_dims=True)`` ... ``self.mean(x, 1)``
  and ``P.X()(args)`` folded into the functional call;
* ``shape_varargs``: ``torch.zeros(2, 3)`` <-> one shape tuple; ``constant_calls``: ``torch.jit.is_scripting()``
  is ``False`` on MindSpore;
* ``devices``: ``x.to(device)``/``.cuda()``/``.cpu()`` removed to MindSpore (placement is per process),
  ``torch.backends.cudnn`` flags set through their module;
* ``clip_grad``: ``clip_grad_norm_``/``clip_grad_value_`` inside a converted step clip its ``grads``;
* ``grad_scaler``: ``scaler.scale(loss).backward()`` / ``scaler.step(opt)`` as a step on msbridge's GradScaler;
* ``module_mode``: ``train()``/``eval()``/``state_dict()``/``load_state_dict()`` on a receiver not known to
  become a Cell go to ``msbridge.torch.nn.module_mode``, which decides at run time (torch -> MindSpore);
* ``type_refs``: a framework class named as a type (``isinstance`` checks, annotations) goes to the target's class
  (the tensor type to the tensor type, a layer class checked against msbridge's twin too where one exists);
* ``default_mode``: a network built outside a network class gets the source framework's default mode written
  after it (``Net().eval()`` to torch, ``Net().set_train()`` to MindSpore); review where it cannot be;
* ``twin_calls``: calls sent to a twin with arguments it cannot honour (an enabled ``autocast``, a
  ``worker_init_fn`` with workers) are review;
* ``string_code``: ``eval("nn.GELU")``/``exec`` of a string naming the source framework is review;
* ``module_values``: a source-framework module used as a value (``hasattr(torch.nn.functional, ...)``,
  ``getattr(nn, name)``) is review;
* ``source_libraries``: imports of libraries built on the source framework (timm, torchvision...; mindcv...)
  are review, outside the library's own tree.
"""
