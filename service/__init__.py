"""The scoring service: a FastAPI app serving the artifact bundle that training writes.

- ``settings``: configuration from the environment;
- ``schemas``: request and response bodies;
- ``scorer``: loads a bundle and scores transactions with numpy;
- ``middleware``: body-size limit, per-request log line, start-up error report;
- ``app``: the routes and ``create_app``;
- ``__main__``: the ``python -m service`` command.
"""
