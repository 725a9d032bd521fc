"""The scenarios shipped with simtrain (installed as the package ``simtrain.bundled``)."""
