"""Real servers started on loopback for tests and for the local run command.

Each module starts one kind of server on free 127.0.0.1 ports with its data in
a folder it is given, waits until it answers, and stops it afterwards.  The
test fixtures (tests/conftest.py) and ``pdcs dev up`` use the same code, so
what the README runs is what the tests exercise.
"""
