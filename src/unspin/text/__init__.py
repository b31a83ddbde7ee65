"""Text handling: normalisation and tokenisation with exact character offsets."""
