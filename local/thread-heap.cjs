// A thread's V8 heap for the runtime's memory probe (LocalRuntime.heaps): what it holds and what it has taken from
// the system for it, after a full collection if asked, so that two readings compare what the thread retains, not
// when its collector last ran.
/* eslint-disable @typescript-eslint/no-require-imports */
const { getHeapStatistics, setFlagsFromString } = require('node:v8');
const { runInNewContext } = require('node:vm');

let collectGarbage;

function heapOfThisThread(collect) {
  if (collect) {
    if (!collectGarbage) {
      // V8's own gc(), without starting the process with --expose-gc: a context made after the flag has it.
      setFlagsFromString('--expose-gc');
      collectGarbage = runInNewContext('gc');
    }
    collectGarbage();
  }
  const { used_heap_size: used, total_heap_size: total } = getHeapStatistics();
  return { used, total };
}

module.exports = { heapOfThisThread };
