"""The shapes of the API's answers: one pydantic model family per resource (``response_model``).

Routes still build their answers as plain data (``supervision.answers`` serves the CLI
too); these models describe that data, so ``/openapi.json`` and ``/docs`` show every
answer and FastAPI checks each one on the way out. Models forbid unknown keys: an
answer that grows a key without its model growing too is a 500 in the tests, not an
undocumented field.
"""
