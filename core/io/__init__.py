"""The I/O room: the only package that reads or writes files."""
