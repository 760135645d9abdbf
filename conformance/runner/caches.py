"""The compilation caches a framework keeps between runs, as the executor's child finds them.

JAX (and Flax and Keras on it) compile one XLA executable per case and operation, most of a
JAX run's time. tox points XLA's persistent compilation cache at a folder of the
environment (tox.ini: ``JAX_COMPILATION_CACHE_DIR``, with
``JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0`` so that the small per-case programs are
kept too), so a second run loads each executable instead of compiling it. JAX's own cache
key (``jax._src.cache_key.get``) hashes the lowered program, jaxlib's version, the backend's
platform and version, ``XLA_FLAGS`` and the compile options: another release or another
flag (``--xla_cpu_max_isa``) never finds the executable of the first. The results file
records that the cache was on (run_info ``build``), so a run that read executables back is
never mistaken for one that compiled them.
"""

from __future__ import annotations

import sys


def compilation_caches() -> dict:
    """The persistent caches of the frameworks imported in this process: ``{"xla_compilation_cache":
    bool}`` once jax is imported (by the adapter's import, never here), else nothing."""
    jax = sys.modules.get("jax")
    if jax is None:
        return {}
    try:
        folder = jax.config.jax_compilation_cache_dir
    except AttributeError:  # a jax without the persistent cache
        return {"xla_compilation_cache": False}
    enabled = getattr(jax.config, "jax_enable_compilation_cache", True)
    return {"xla_compilation_cache": bool(folder) and bool(enabled)}
