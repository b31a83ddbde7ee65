"""Corpus-scale scanning: readers, writers and the engines that run unspin over them."""
