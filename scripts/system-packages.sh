#!/usr/bin/env bash
# Debian packages the suite needs beyond Python, installed only where absent (run as root):
#   chromium, chromium-driver  the report's browser tests (tox -e tests)
#   nodejs, npm                the JavaScript runtimes (tox -e tfjs, tox -e ortweb: npm ci)
#   clang                      tinygrad's CPU device compiles its kernels with clang
#   g++                        torch.compile's inductor builds C++ (tox -e torch_compile)
set -euo pipefail
need=()
command -v chromium >/dev/null && command -v chromedriver >/dev/null || need+=(chromium chromium-driver)
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
command -v clang >/dev/null || need+=(clang)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
