// A thread's V8 heap for the runtime's memory probe (LocalRuntime.heaps): what it holds and what it has taken from
// the system for it, after a full collection if asked, so that two readings compare what the thread retains, not
// when its collector last ran.
/* eslint-disable @typescript-eslint/no-require-imports */
const { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } = require('node:v8');
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
  // The young generation grows with the rate of allocation (up to V8's semi-space limit) and is not given back by
  // a full collection: apart, so that a reading says whether a thread's total grew there or in what it retains.
  const young = getHeapSpaceStatistics()
    .filter((s) => s.space_name === 'new_space' || s.space_name === 'new_large_object_space')
    .reduce((sum, s) => sum + s.space_size, 0);
  return { used, total, young };
}

module.exports = { heapOfThisThread };
