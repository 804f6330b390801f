"""Toolkit: coaching instruments, do's and don'ts and the wegwijzer, read from toolkit_content/."""
