# Source this (`. scripts/tox-setup.sh`) before tox: it installs tox with tox-uv and hands uv
# what pip knows of this machine.
#
# Why uv: it hard-links each package from its cache into every environment, so torch and
# TensorFlow lie on disk once however many environments install them. With pip's copies the
# conformance and machines environments took 22 GB and filled a CI machine's disk.
# uv reads no pip configuration, so this machine's wheel folder (the CPU build of torch; without
# it PyPI's torch is the multi-GB CUDA build) and its package mirrors are passed on here.

python3 -m pip install -q --disable-pip-version-check "tox>=4.11" "tox-uv>=1.32"

_find_links="${PIP_FIND_LINKS:-$(python3 -m pip config get global.find-links 2>/dev/null || true)}"
_extra_index="${PIP_EXTRA_INDEX_URL:-$(python3 -m pip config get global.extra-index-url 2>/dev/null || true)}"
if [ -n "$_find_links" ]; then export UV_FIND_LINKS="$_find_links"; fi
if [ -n "$_extra_index" ]; then
    export UV_EXTRA_INDEX_URL="$_extra_index"
    # the mirrors and PyPI are trusted alike: take a pinned version from whichever has it
    export UV_INDEX_STRATEGY=unsafe-best-match
fi
unset _find_links _extra_index
# the cache on the environments' file system, so that uv links rather than copies
export UV_CACHE_DIR="${UV_CACHE_DIR:-$PWD/.tox/uv-cache}"
export UV_LINK_MODE=hardlink
# the system's certificates, as pip uses them
export UV_NATIVE_TLS=1
