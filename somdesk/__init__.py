"""somdesk: watch a Kohonen Self-Organizing Map organise itself."""
__version__ = "0.1.0"
