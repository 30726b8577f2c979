"""Batch work: many (input, budget) items through one pipeline per worker, exactly once.

- ``items``: the work item, the worker-side ``Task`` and the driver-side ``Job`` contracts.
- ``driver``: hands items to an executor and alone records their results (deduplicated by id),
  with a progress bar and a summary.
- ``local``: the embedded executor (one worker, in this process; imports no Ray).
- ``cluster``: the Ray executor (actors holding one loaded pipeline each), imported only for ``--ray``.
- ``inputs``: a folder or a list file of inputs, and the output name of each.
- ``collection``: the jobs of ``semcodec encode-dir`` and ``semcodec decode-dir``.

Nothing is imported here, so that importing one module never pulls in another (or Ray).
"""
