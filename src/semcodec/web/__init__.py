"""The web app (``semcodec serve``): a demo page, an inspect page, the HTTP API and the 2AFC
human study, over one set of models built once from the configuration objects.

- ``settings``: ``WebSettings`` (limits, study) beside ``ModelsConfig`` and ``RuntimeConfig``.
- ``jobs``: one model job at a time per server process, a bounded queue, timeouts, progress.
- ``service``: encode, decode, inspect and the demo's result, as JSON-ready dicts.
- ``errors``: every failure as JSON with the CLI's one sentence and an HTTP status.
- ``api``, ``pages``, ``study``: the routes; ``app.create_app`` puts them together.

FastAPI, uvicorn and python-multipart come with the ``web`` extra; nothing here is imported by
``semcodec --help``.
"""
