import { CircuitBreaker, type BreakerState } from '../../../shared/http/circuit-breaker';
import { VirtualClock } from '../../helpers/virtual-clock';

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
