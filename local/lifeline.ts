/**
 * `npm start` runs npm → sh → tsx → node (this process). A SIGKILL of any process above this one (a `kill -9`,
 * the OOM killer) reaches none of the others, and each one left behind would keep running the whole runtime.
 * So the runtime watches the processes that launched it: its parent, and the ancestors in its process group
 * (the shell puts `npm start` in a group of its own) that are launchers, and stops when one of them is gone.
 */
import { readFileSync } from 'node:fs';

interface ProcStat {
  readonly comm: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly zombie: boolean;
}

/** Linux /proc/<pid>/stat; undefined when the process is gone (or there is no /proc). */
function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, ppid: Number(ppid), pgid: Number(pgid), zombie: state === 'Z' || state === 'X' };
  } catch {
    return undefined;
  }
}

/** What `npm start`, `npx tsx` and `tsx` run as; a user's own script or shell above them is not watched. */
const LAUNCHER = /^(npm( .*)?|npx|node|tsx|sh|dash)$/;

/** This process's parent and the launchers above it that share its process group. */
export function launchChain(pid = process.pid): number[] {
  const own = procStat(pid);
  if (!own) return process.ppid > 1 ? [process.ppid] : [];
  const chain: number[] = [];
  for (let p = own.ppid; p > 1;) {
    const s = procStat(p);
    if (!s || (chain.length > 0 && (s.pgid !== own.pgid || !LAUNCHER.test(s.comm)))) break;
    chain.push(p);
    p = s.ppid;
  }
  return chain;
}

/** Calls `onLost` once when a process of the launch chain has ended. Answers a function that stops watching. */
export function watchLaunchChain(onLost: (pid: number) => void, intervalMs = 500): () => void {
  const chain = launchChain();
  const parent = process.ppid;
  const timer = setInterval(() => {
    const lost =
      process.ppid !== parent
        ? parent
        : chain.find((pid) => {
            const s = procStat(pid);
            return !s || s.zombie;
          });
    if (lost === undefined) return;
    clearInterval(timer);
    onLost(lost);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
