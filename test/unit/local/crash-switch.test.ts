import { CrashSwitch } from '../../../local/crash-switch';

describe('the crash switch', () => {
  it('hands an armed crash to one matching invocation at a time, and counts it once it fired', () => {
    const crashes = new CrashSwitch();
    const armed = crashes.arm({ workflow: 'shift-bids', point: 'after-state-write', bodyContains: 'req-1' });
    expect(crashes.reserve('shift-overrides', ['req-1'])).toBeUndefined();
    expect(crashes.reserve('shift-bids', ['req-2'])).toBeUndefined();
    const first = crashes.reserve('shift-bids', ['req-2', 'x req-1 y'])!;
    expect(first.point).toBe('after-state-write');
    expect(crashes.reserve('shift-bids', ['req-1'])).toBeUndefined(); // reserved: not twice at once
    first.settle(true);
    expect(armed).toMatchObject({ remaining: 0, fired: 1 });
    expect(crashes.reserve('shift-bids', ['req-1'])).toBeUndefined();
  });

  it('takes a crash back when the instance did not die at its point', () => {
    const crashes = new CrashSwitch();
    const armed = crashes.arm({ workflow: 'shift-overrides', point: 'before-vendor-call', times: 2 });
    crashes.reserve('shift-overrides', ['a'])!.settle(false);
    expect(armed).toMatchObject({ remaining: 2, fired: 0 });
  });

  it('refuses what it cannot arm, naming what it accepts', () => {
    const crashes = new CrashSwitch();
    expect(() => crashes.arm({ workflow: 'nope', point: 'after-state-write' })).toThrow(/workflow must be/);
    expect(() => crashes.arm({ workflow: 'shift-bids', point: 'later' })).toThrow(
      'point must be one of before-vendor-call, after-vendor-answer, after-state-write',
    );
    expect(() => crashes.arm({ workflow: 'shift-bids', point: 'after-state-write', times: 0 })).toThrow(
      /times/,
    );
    expect(crashes.list()).toEqual([]);
  });
});
