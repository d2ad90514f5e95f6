import { DeadlineExceeded, waitUntil, withDeadline } from '../../../local/net';

describe('withDeadline', () => {
  it('fails a promise that never settles with a message naming what it waited for', async () => {
    const never = new Promise<void>(() => undefined);
    await expect(withDeadline(never, 50, 'the queue to drain')).rejects.toThrow(
      new DeadlineExceeded('the queue to drain', 50),
    );
    await expect(withDeadline(never, 50, 'the queue to drain')).rejects.toThrow(
      'Timed out after 50 ms waiting for the queue to drain',
    );
  });

  it('answers the value, or the error, of a promise that settles in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'seven')).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, 'boom')).rejects.toThrow('boom');
  });
});

describe('waitUntil', () => {
  it('names what it waited for and the last error the check threw', async () => {
    await expect(
      waitUntil(
        async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:1');
        },
        'the emulator to answer',
        100,
      ),
    ).rejects.toThrow(
      'Timed out after 100 ms waiting for the emulator to answer (last error: connect ECONNREFUSED 127.0.0.1:1)',
    );
  });
});
