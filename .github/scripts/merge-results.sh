#!/usr/bin/env bash
# The CI report job's merge step: .github/scripts/merge-results.sh ARTIFACTS PUBLISHED OUT
#   ARTIFACTS  one folder per job (actions/download-artifact), each holding its reports/ tree:
#              results/ (the main job, the GPU column), releases/<env>/ (older releases),
#              machines/<env>/ (simulated machines)
#   PUBLISHED  the last published run's results (OUT/results of that run), possibly empty
#   OUT        index.html (the main page: every job's results with docs/measured's columns; the
#              older releases in its release view), machines.html, summary.md, diff.md, and
#              results/ (this run's results files, for the next run to compare against)
# Exit status: conformance diff's (1 when this run has new non-PASS results that no expectation
# explains, against the published run); 0 when nothing was published yet.
set -uo pipefail
artifacts=$1 published=$2 out=$3
mkdir -p "$out/results"

# The simulated machines repeat the main job's adapters with kernel switches: their own page,
# as `tox -e report-machines` writes it; everything else goes on the main page.
main=() machines=()
while IFS= read -r -d '' dir; do
    case "$dir" in
        */machines) machines+=("$dir") ;;
        *) main+=("$dir") ;;
    esac
done < <(find "$artifacts" -mindepth 2 -maxdepth 2 -type d \( -name results -o -name releases -o -name machines \) -print0 | sort -z)
if [ ${#main[@]} -eq 0 ]; then
    echo "error: no results folders under $artifacts" >&2
    exit 2
fi

conformance report "${main[@]}" docs/measured -o "$out/index.html" --markdown "$out/summary.md" || exit $?
if [ ${#machines[@]} -gt 0 ]; then
    conformance report "${machines[@]}" -o "$out/machines.html" --expect "" --no-junit --no-markdown || exit $?
fi

# This run's results, one folder per job, for the next run's diff.
for dir in "${main[@]}"; do
    job=$(basename "$(dirname "$dir")")
    mkdir -p "$out/results/$job"
    cp -R "$dir" "$out/results/$job/"
done

if [ -z "$(find "$published" -name '*.json' -print -quit 2>/dev/null)" ]; then
    echo "no published run to compare with: diff skipped" | tee "$out/diff.md"
    exit 0
fi
before=$(printf '%s,' "$published")
after=$(IFS=,; echo "${main[*]}")
conformance diff "${before%,}" "$after" --markdown "$out/diff.md" --title "Against the last published run"
