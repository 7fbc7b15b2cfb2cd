"""A data "external" program that misbehaves on purpose; the mode is the first argument."""

import sys

MODES = {
    # A result value that is not a string.
    "number": ('{"endpoint": "e1", "instances": 2}', "", 0),
    # A result that is not an object.
    "array": ('["e1"]', "", 0),
    # Not JSON at all.
    "text": ("rolled out\n", "", 0),
    # A failure with a reason on stderr (stdout is ignored).
    "exit": ('{"ignored": "yes"}', "deployer: rollout rolled back by alarm whisper-5xx\n", 2),
    # A failure without a reason.
    "silent-exit": ("", "", 4),
    # Success.
    "ok": ('{"endpoint": "e1", "status": "InService"}', "log line on stderr\n", 0),
}

stdout, stderr, code = MODES[sys.argv[1]]
sys.stdin.read()
sys.stdout.write(stdout)
sys.stderr.write(stderr)
sys.exit(code)
