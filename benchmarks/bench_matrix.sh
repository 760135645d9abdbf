#!/usr/bin/env bash
# The default matrix's corpus time (issue 14): the issue's nine frameworks, one after another,
# each as tox runs it (`pytest cases --framework <fw> -n 2` with tox.ini's variables), in the
# environments a `.ci/run` left (warm: XLA's persistent cache filled). Prints each framework's
# wall time and pytest's last line; bench_matrix_table.py turns the results into the table.
#
#   benchmarks/bench_matrix.sh [TOX_DIR (.tox)] [OUT (reports/bench-matrix)]
set -euo pipefail
cd "$(dirname "$0")/.."
tox_dir=$(realpath "${1:-.tox}")
out=$(realpath -m "${2:-reports/bench-matrix}")
mkdir -p "$out"
for fw in torch tensorflow mxnet jax onnxruntime opencv tf_keras keras-jax keras-torch; do
  extra=()
  case $fw in
    tensorflow) extra=(KERAS_BACKEND=tensorflow) ;;
    keras-jax) extra=(KERAS_BACKEND=jax) ;;
    keras-torch) extra=(KERAS_BACKEND=torch) ;;
  esac
  case $fw in
    jax | keras-jax) extra+=("JAX_COMPILATION_CACHE_DIR=$tox_dir/$fw/xla-cache" JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0) ;;
  esac
  # tox's environment, not the caller's: only what tox.ini sets for these environments
  /usr/bin/time -f "$fw wall %e" -o "$out/$fw.time" env -i PATH=/usr/bin:/bin HOME="$HOME" \
    PYTHONHASHSEED=0 OMP_NUM_THREADS=1 TF_NUM_INTEROP_THREADS=1 TF_NUM_INTRAOP_THREADS=1 \
    TF_CPP_MIN_LOG_LEVEL=2 OPENCV_FOR_THREADS_NUM=1 "${extra[@]}" \
    "$tox_dir/$fw/bin/python" -m pytest cases --framework "$fw" -n 2 -p no:cacheprovider -q \
    --results "$out/$fw" > "$out/$fw.log" 2>&1 || true
  echo "$(cat "$out/$fw.time") | $(tail -1 "$out/$fw.log")"
done
