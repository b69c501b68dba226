#!/usr/bin/env sh
# `npm test`: vitest (npm test's extra arguments go to vitest, as .ci/run relies on), then the
# Lightning Web Component tests with sfdx-lwc-jest (jest.config.cjs, sfdx-project.json). Both always
# run; the exit status is non-zero if either failed. With LEADGATE_JEST_JSON=<file>, jest also writes
# its JSON results there, which .ci/run adds to its pass/fail count.
vitest run "$@"
vitest_status=$?
if [ -n "${LEADGATE_JEST_JSON:-}" ]; then
  sfdx-lwc-jest -- --json --outputFile="$LEADGATE_JEST_JSON"
else
  sfdx-lwc-jest
fi
jest_status=$?
[ "$vitest_status" -eq 0 ] && [ "$jest_status" -eq 0 ]
