// The report's stability rule: the fixture server's varying port never reaches a result, so
// two runs of the same browser give the same JSON but for times (and `bgprobe diff` is quiet).
import { describe, expect, it } from 'vitest';
import { withoutOrigin } from '../../src/evidence/evidence.js';

describe('withoutOrigin', () => {
  const origin = 'http://127.0.0.1:33997';

  it('replaces the origin everywhere, keys included, and leaves other ports and hosts alone', () => {
    const value = { [`${origin}/a`]: [`GET ${origin}/res/a.bin?size=16`, 'http://127.0.0.1:339970/x', 'http://127.0.0.2:33997/y'], n: 3 };
    expect(withoutOrigin(value, origin)).toEqual({
      '{fixture}/a': ['GET {fixture}/res/a.bin?size=16', 'http://127.0.0.1:339970/x', 'http://127.0.0.2:33997/y'],
      n: 3,
    });
  });

  it('a URL with credentials keeps them, and loses the port (found in fetch.reject.credentials-in-url)', () => {
    const message = `Failed to execute 'fetch': Request cannot be constructed from a URL that includes credentials: http://user:secret@127.0.0.1:33997/res/a.bin?size=16`;
    const out = withoutOrigin({ message, other: 'http://u@127.0.0.1:33997' }, origin);
    expect(out.message).toBe(
      "Failed to execute 'fetch': Request cannot be constructed from a URL that includes credentials: http://user:secret@{fixture-host}/res/a.bin?size=16",
    );
    expect(out.other).toBe('http://u@{fixture-host}');
    // Two runs on two ports give the same text.
    expect(withoutOrigin(message.replace('33997', '41234'), 'http://127.0.0.1:41234')).toBe(out.message);
  });
});
