"""The ``fazhi`` operator command."""
