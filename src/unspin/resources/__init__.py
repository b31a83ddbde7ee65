"""Loading the shipped artifacts (built by `python -m unspin.build`)."""
