import { CircuitBreaker, type BreakerState } from '../../../shared/http/circuit-breaker';
import { VirtualClock } from '../../helpers/virtual-clock';
import { FakeClock } from '../../helpers/fake-clock';

function setup() {
  const clock = new VirtualClock();
  const states: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    clock,
    threshold: 0.85,
    minCalls: 20,
    pauseMs: 5000,
    onStateChange: (s) => states.push(s),
  });
  return { clock, breaker, states };
}

describe('CircuitBreaker (spec 002)', () => {
  it('stays closed at or above 85% success', () => {
    const { breaker } = setup();
    for (let i = 0; i < 20; i++) breaker.record(i % 7 !== 0); // 17/20 = 85%
    expect(breaker.state).toBe('closed');
  });

  it('opens below 85%, makes callers wait 5 s, then lets one probe through', async () => {
    const { clock, breaker, states } = setup();
    for (let i = 0; i < 20; i++) breaker.record(i % 5 !== 0); // 80%
    expect(breaker.state).toBe('open');
    const start = clock.now();
    await breaker.acquire();
    expect(clock.now() - start).toBe(5000);
    expect(breaker.state).toBe('half-open');
    breaker.record(true);
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the probe fails', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 20; i++) breaker.record(false);
    await breaker.acquire();
    breaker.record(false);
    expect(breaker.state).toBe('open');
  });

  it('does not judge on too few calls', () => {
    const { breaker } = setup();
    for (let i = 0; i < 19; i++) breaker.record(false);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker with concurrent callers (fake clock)', () => {
  function open(clock: FakeClock, states: BreakerState[] = []) {
    const breaker = new CircuitBreaker({
      clock,
      minCalls: 10,
      pauseMs: 5000,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 10; i++) breaker.record(i < 8); // 80% < 85%
    expect(breaker.state).toBe('open');
    return breaker;
  }

  it('holds every waiting caller for the pause, sends one probe, and drains the rest once it succeeds', async () => {
    const clock = new FakeClock();
    const breaker = open(clock);
    const admitted: number[] = [];
    const callers = Array.from({ length: 5 }, (_, i) =>
      breaker.acquire().then((permit) => {
        admitted.push(i);
        return permit;
      }),
    );
    await clock.advance(4999);
    expect(admitted).toEqual([]);
    await clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(admitted).toHaveLength(1); // the probe only
    const probe = await callers[admitted[0]!]!;
    expect(probe.probe).toBe(true);
    breaker.record(true, probe);
    await clock.advance(0);
    expect(breaker.state).toBe('closed');
    expect(admitted).toHaveLength(5);
    expect((await Promise.all(callers)).filter((p) => p.probe)).toHaveLength(1);
  });

  it('re-opens for another pause when the probe fails, keeping the others waiting', async () => {
    const clock = new FakeClock();
    const states: BreakerState[] = [];
    const breaker = open(clock, states);
    const first = breaker.acquire();
    const second = breaker.acquire();
    let secondAdmitted = false;
    void second.then(() => (secondAdmitted = true));
    await clock.advance(5000);
    breaker.record(false, await first);
    await clock.advance(4999);
    expect(breaker.state).toBe('open');
    expect(secondAdmitted).toBe(false);
    await clock.advance(1);
    expect(secondAdmitted).toBe(true);
    expect((await second).probe).toBe(true);
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('passes the probe to the next caller when the probe call was never sent', async () => {
    const clock = new FakeClock();
    const breaker = open(clock);
    const first = breaker.acquire();
    const second = breaker.acquire();
    await clock.advance(5000);
    breaker.release(await first);
    await clock.advance(0);
    const next = await second;
    expect(next.probe).toBe(true);
    breaker.record(true, next);
    expect(breaker.state).toBe('closed');
  });

  it('ignores late answers of calls sent before it opened', async () => {
    const clock = new FakeClock();
    const breaker = open(clock);
    const probe = clock.runUntilSettled(breaker.acquire());
    const permit = await probe;
    breaker.record(true, { probe: false }); // an old call, not the probe
    expect(breaker.state).toBe('half-open');
    breaker.record(false, permit);
    expect(breaker.state).toBe('open');
  });

  it('forgets outcomes older than the window', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, minCalls: 10, windowMs: 10_000 });
    for (let i = 0; i < 5; i++) breaker.record(false);
    await clock.advance(10_001);
    for (let i = 0; i < 10; i++) breaker.record(true);
    expect(breaker.state).toBe('closed');
    for (let i = 0; i < 2; i++) breaker.record(false); // 10/12 = 83%
    expect(breaker.state).toBe('open');
  });

  it('whenClosed waits out the pause without taking the probe', async () => {
    const clock = new FakeClock();
    const breaker = open(clock);
    let drained = false;
    void breaker.whenClosed().then(() => (drained = true));
    await clock.advance(5000);
    expect(drained).toBe(true);
    expect(breaker.state).toBe('open'); // nobody has probed yet
    expect((await breaker.acquire()).probe).toBe(true);
  });

  it('execute records resolve as success and reject as failure, reporting the failing window', async () => {
    const clock = new FakeClock();
    const changes: unknown[] = [];
    const breaker = new CircuitBreaker({ clock, minCalls: 4, onStateChange: (s, c) => changes.push([s, c]) });
    await expect(breaker.execute(async () => 'ok')).resolves.toBe('ok');
    for (let i = 0; i < 3; i++)
      await expect(breaker.execute(() => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(changes).toEqual([['open', { successRate: 0.25, calls: 4 }]]);
    expect(breaker.reopensAt).toBe(clock.now() + 5000);
  });
});
