#!/usr/bin/env bash
# Run every compiled test file in its own uvu process, so that a crash or a hang in one file
# cannot hide the results of the others, and print one closing line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

pattern=${1:-}
per_file_timeout=${TEST_FILE_TIMEOUT:-900}
passed=0
failed=0
skipped=0
failed_files=()

build_dir=${BUILD_DIR:-build}
mapfile -t files < <(find "$build_dir/test" -name '*.test.js' | sort | grep -E -- "${pattern:-.}")
# Runs one test file with the given node binary and adds its counts to the totals.
run_file() {
  local node=$1 file=$2 label=$3
  echo "# $label"
  output=$(timeout --kill-after=10 "$per_file_timeout" "$node" scripts/uvu-file.mjs "$file" 2>&1)
  status=$?
  printf '%s\n' "$output"
  total=$(printf '%s\n' "$output" | sed -n 's/^ *Total: *\([0-9]*\).*/\1/p' | tail -n 1)
  done_count=$(printf '%s\n' "$output" | sed -n 's/^ *Passed: *\([0-9]*\).*/\1/p' | tail -n 1)
  skip_count=$(printf '%s\n' "$output" | sed -n 's/^ *Skipped: *\([0-9]*\).*/\1/p' | tail -n 1)
  if [[ -z "$total" || -z "$done_count" ]]; then
    echo "# $label ended with status $status before its summary: counted as one failure"
    failed=$((failed + 1))
    failed_files+=("$label")
    return
  fi
  passed=$((passed + done_count))
  skipped=$((skipped + ${skip_count:-0}))
  file_failed=$((total - done_count - ${skip_count:-0}))
  if [[ "$status" -ne 0 && "$file_failed" -eq 0 ]]; then
    echo "# $label exited with status $status: counted as one failure"
    file_failed=1
  fi
  failed=$((failed + file_failed))
  [[ "$file_failed" -eq 0 ]] || failed_files+=("$label")
}

for file in "${files[@]}"; do
  run_file node "$file" "$file"
done

# EXTRA_NODES names other node binaries (Node 22 and 24 in `make test`). The tests of the code
# that touches Node internals (the llhttp binding, sockets, signing) run again under each.
compat_pattern=${COMPAT_PATTERN:-test/http/|test/sqs/(signer|protocol|md5|batcher)}
for node in ${EXTRA_NODES:-}; do
  version=$("$node" --version)
  for file in "${files[@]}"; do
    [[ "$file" =~ $compat_pattern ]] && run_file "$node" "$file" "$file on Node $version"
  done
done

[[ "${#failed_files[@]}" -eq 0 ]] || printf 'Failed in: %s\n' "${failed_files[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[[ "$failed" -eq 0 && "${#files[@]}" -gt 0 ]]
