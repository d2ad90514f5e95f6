/**
 * Spec 002 section 1: WEM applies adherence only along its state machine; a transition it does not allow is
 * queued for reconciliation (60-180 s late). So a disallowed transition is never pushed raw: it is bridged
 * through the shortest path of allowed intermediate states, or held with its reason when no path exists.
 */
import type { AdherenceSyncSettings } from '../../config/workflows/adherence-sync';

export type AdherenceState = 'Scheduled' | 'InSession' | 'Unavailable' | 'OnBreak' | 'OnCall';

export type TransitionPlan =
  | { kind: 'none' }
  | { kind: 'direct'; states: [AdherenceState] }
  | { kind: 'bridged'; states: AdherenceState[] }
  | { kind: 'held'; reason: string };

/** ACD state (spec 000 `new_state`) -> WEM adherence state, or undefined when unmapped. */
export function toAdherenceState(acdState: string, settings: Pick<AdherenceSyncSettings, 'stateMap'>) {
  return settings.stateMap[acdState] as AdherenceState | undefined;
}

/**
 * The states to push, in order, to move WEM from `from` (the last acknowledged state; undefined before the
 * first) to `to`. Breadth-first search over the configured matrix gives the shortest bridge.
 */
export function planTransition(
  from: AdherenceState | undefined,
  to: AdherenceState,
  transitions: AdherenceSyncSettings['transitions'],
): TransitionPlan {
  if (from === to) return { kind: 'none' };
  if (from === undefined) return { kind: 'direct', states: [to] };
  if ((transitions[from] ?? []).includes(to)) return { kind: 'direct', states: [to] };
  const previous = new Map<AdherenceState, AdherenceState>();
  const queue: AdherenceState[] = [from];
  while (queue.length) {
    const state = queue.shift()!;
    for (const next of (transitions[state] ?? []) as AdherenceState[]) {
      if (next === from || previous.has(next)) continue;
      previous.set(next, state);
      if (next === to) {
        const path: AdherenceState[] = [to];
        for (let s = previous.get(to)!; s !== from; s = previous.get(s)!) path.unshift(s);
        return { kind: 'bridged', states: path };
      }
      queue.push(next);
    }
  }
  return { kind: 'held', reason: `no allowed path from ${from} to ${to} in the transition matrix` };
}
