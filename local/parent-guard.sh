#!/usr/bin/env bash
# Runs "$@" (DynamoDB Local's JVM) until it exits, or until this script's stdin reaches end of file, whichever
# comes first. The local runtime holds the only write end of that pipe: when the runtime dies in any way, SIGKILL
# and the OOM killer included (which no handler of its own can catch), the kernel closes the pipe and the command
# is stopped here. Node cannot ask Linux for PR_SET_PDEATHSIG, and the JVM has no option to watch its parent.
set -u
exec 3<&0
"$@" </dev/null 3<&- &
child=$!

stop_child() {
  kill -TERM "$child" 2>/dev/null || return 0
  for _ in $(seq 30); do
    kill -0 "$child" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$child" 2>/dev/null || true
}

# `read` is a builtin: the watcher is this one subshell, with no helper process to leak.
{
  while IFS= read -r _ <&3; do :; done
  stop_child
} &
watcher=$!
exec 3<&-

trap stop_child TERM INT HUP
status=0
wait "$child" || status=$?
# A trapped signal interrupts `wait`; wait again for the command's own exit.
while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
kill "$watcher" 2>/dev/null
exit "$status"
