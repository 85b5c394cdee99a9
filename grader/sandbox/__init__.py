"""The host side of the sandbox: the zygote, sessions, limits and the conversations with them.

Everything that runs student code lives in ``child/``, loaded by path inside the sandbox.
"""
