import { loadStageConfig } from '../../../shared/config/stage';
import { planTransition, toAdherenceState } from '../../../shared/domain/adherence-sync/transitions';
import {
  hasExplicitOffset,
  splitAtLocalMidnights,
  translateReasonCode,
} from '../../../shared/domain/adherence-sync/windows';

const settings = loadStageConfig('local').workflows['adherence-sync'];
const t = (iso: string) => Date.parse(iso);
const hours = (w: { startTime: string; endTime: string }) => (t(w.endTime) - t(w.startTime)) / 3_600_000;

describe('transition matrix (spec 002 section 1)', () => {
  it('maps ACD states through config and leaves unmapped ones undefined', () => {
    expect(toAdherenceState('on-call', settings)).toBe('OnCall');
    expect(toAdherenceState('teleporting', settings)).toBeUndefined();
  });

  it('sends nothing for a repeat, and allowed transitions directly', () => {
    expect(planTransition('OnCall', 'OnCall', settings.transitions)).toEqual({ kind: 'none' });
    expect(planTransition('Scheduled', 'InSession', settings.transitions)).toEqual({
      kind: 'direct',
      states: ['InSession'],
    });
    expect(planTransition(undefined, 'OnBreak', settings.transitions)).toEqual({
      kind: 'direct',
      states: ['OnBreak'],
    });
  });

  it('bridges a disallowed transition through the shortest path of intermediate states', () => {
    // Scheduled -> OnCall is not allowed; Scheduled -> InSession -> OnCall is.
    expect(planTransition('Scheduled', 'OnCall', settings.transitions)).toEqual({
      kind: 'bridged',
      states: ['InSession', 'OnCall'],
    });
    // OnCall -> Unavailable: OnCall -> InSession -> Unavailable.
    expect(planTransition('OnCall', 'Unavailable', settings.transitions)).toEqual({
      kind: 'bridged',
      states: ['InSession', 'Unavailable'],
    });
  });

  it('holds a transition with its reason when the matrix has no path', () => {
    const plan = planTransition('OnBreak', 'Scheduled', { OnBreak: ['OnCall'], OnCall: [] } as never);
    expect(plan).toEqual({
      kind: 'held',
      reason: 'no allowed path from OnBreak to Scheduled in the transition matrix',
    });
  });
});

describe('midnight split in the agent zone, DST-correct (spec 002 section 3)', () => {
  it('splits at local midnight in America/Los_Angeles, on both 2026 DST nights', () => {
    expect(
      splitAtLocalMidnights(t('2026-03-08T07:00:00Z'), t('2026-03-09T08:00:00Z'), 'America/Los_Angeles'),
    ).toEqual([
      { startTime: '2026-03-08T07:00:00.000Z', endTime: '2026-03-08T08:00:00.000Z' },
      { startTime: '2026-03-08T08:00:00.000Z', endTime: '2026-03-09T07:00:00.000Z' }, // the 23-hour day
      { startTime: '2026-03-09T07:00:00.000Z', endTime: '2026-03-09T08:00:00.000Z' },
    ]);
    const fall = splitAtLocalMidnights(
      t('2026-11-01T06:00:00Z'),
      t('2026-11-02T09:00:00Z'),
      'America/Los_Angeles',
    );
    expect(fall.map(hours)).toEqual([1, 25, 1]);
  });

  it('splits at local midnight in Europe/Berlin across the 2026 spring and autumn changes', () => {
    expect(
      splitAtLocalMidnights(t('2026-03-28T22:00:00Z'), t('2026-03-29T23:00:00Z'), 'Europe/Berlin').map(hours),
    ).toEqual([1, 23, 1]);
    expect(
      splitAtLocalMidnights(t('2026-10-24T21:00:00Z'), t('2026-10-26T00:00:00Z'), 'Europe/Berlin').map(hours),
    ).toEqual([1, 25, 1]);
  });

  it('splits at local midnight in Pacific/Auckland on the 2026 DST nights (April end, September start)', () => {
    expect(
      splitAtLocalMidnights(t('2026-04-04T10:00:00Z'), t('2026-04-05T13:00:00Z'), 'Pacific/Auckland').map(
        hours,
      ),
    ).toEqual([1, 25, 1]);
    expect(
      splitAtLocalMidnights(t('2026-09-26T11:00:00Z'), t('2026-09-27T12:00:00Z'), 'Pacific/Auckland').map(
        hours,
      ),
    ).toEqual([1, 23, 1]);
  });

  it('leaves a window inside one local day whole, and never produces overlapping parts', () => {
    const parts = splitAtLocalMidnights(
      t('2026-06-15T14:00:00Z'),
      t('2026-06-15T14:30:00Z'),
      'America/Los_Angeles',
    );
    expect(parts).toEqual([{ startTime: '2026-06-15T14:00:00.000Z', endTime: '2026-06-15T14:30:00.000Z' }]);
    const many = splitAtLocalMidnights(t('2026-06-01T00:00:00Z'), t('2026-06-05T00:00:00Z'), 'Europe/Berlin');
    for (let i = 1; i < many.length; i++) expect(many[i]!.startTime).toBe(many[i - 1]!.endTime);
  });
});

describe('UTC validation and reason codes', () => {
  it('accepts Z and explicit offsets, rejects local times (spec 002 edge case 2)', () => {
    expect(hasExplicitOffset('2026-05-15T14:32:07.123Z')).toBe(true);
    expect(hasExplicitOffset('2026-05-15T14:32:07+00:00')).toBe(true);
    expect(hasExplicitOffset('2026-05-15T10:32:07-04:00')).toBe(true);
    expect(hasExplicitOffset('2026-05-15T14:32:07')).toBe(false);
    expect(hasExplicitOffset('2026-05-15 14:32')).toBe(false);
  });

  it('translates external reason codes and refuses unmapped ones instead of sending them raw', () => {
    expect(translateReasonCode('break-15', settings.reasonCodeMap)).toEqual({
      ok: true,
      code: 'PAID_BREAK_15',
    });
    expect(translateReasonCode(null, settings.reasonCodeMap)).toEqual({ ok: true, code: 'NONE' });
    expect(translateReasonCode('coffee', settings.reasonCodeMap)).toEqual({
      ok: false,
      reason: 'reason code "coffee" has no WEM mapping',
    });
  });
});
