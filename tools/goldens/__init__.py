"""Generators of the golden files under tests/<area>/data (and of the inputs the C tests compare
against): each gen_<area>_goldens.py runs the reference in tools/reference on fixed inputs and
writes what the C tests read; gen_cli_fixture.py writes the front-end tests' small model. Rerun one
after changing its reference; CI's live oracle tests compare against the reference directly."""
