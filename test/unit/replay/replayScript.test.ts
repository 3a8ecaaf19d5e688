// A capture turned into exchanges: greeting, one exchange per client frame with the server
// frames recorded after it, framed anew with the capture's spec.
import * as assert from 'node:assert/strict';
import { decodeCapture } from '../../../src/core/capture/captureReader';
import {
  buildScript,
  clientFrameCount,
  loadScript,
  NO_HEADER,
  type ReplayScript,
} from '../../../src/core/replay/replayScript';
import { captureText, frame, scriptOf } from './replayHelpers';

/** Exchanges as [index, request text, reply texts] per connection. */
function brief(script: ReplayScript) {
  return script.connections.map((c) => ({
    conn: c.conn,
    exchanges: c.exchanges.map((x) => [
      x.index,
      x.request?.bytes.toString('latin1'),
      x.replies.map((r) => r.bytes.toString('latin1')),
    ]),
  }));
}

describe('replay script', () => {
  it('the greeting is exchange 0; each client frame takes the server frames after it', async () => {
    const script = await scriptOf(
      [
        { e: 'open', conn: 1, t: 0, peer: '127.0.0.1:5000' },
        frame(1, 's2c', 10, '220 hello\r\n'),
        frame(1, 'c2s', 20, 'NICK a\r\n'),
        frame(1, 'c2s', 21, 'USER a\r\n'),
        frame(1, 's2c', 30, '001 welcome\r\n'),
        frame(1, 's2c', 31, '002 host\r\n'),
        frame(1, 'c2s', 40, 'QUIT\r\n'),
        { e: 'close', conn: 1, t: 50, reason: 'closed' },
      ],
      { framing: 'crlf' },
    );
    assert.deepEqual(brief(script), [
      {
        conn: 1,
        exchanges: [
          [0, undefined, ['220 hello\r\n']],
          [1, 'NICK a\r\n', []],
          [2, 'USER a\r\n', ['001 welcome\r\n', '002 host\r\n']],
          [3, 'QUIT\r\n', []],
        ],
      },
    ]);
    assert.equal(script.connections[0].peer, '127.0.0.1:5000');
    assert.equal(clientFrameCount(script), 3);
  });

  it('frames anew, so an idle cut made while recording does not split a message', async () => {
    const script = await scriptOf([
      { e: 'open', conn: 1, t: 0 },
      frame(1, 'c2s', 10, 'GET k\r\n'),
      frame(1, 's2c', 20, 'VAL', { partial: true }),
      frame(1, 's2c', 400, 'UE 1\r\n'),
      { e: 'close', conn: 1, t: 500 },
    ]);
    assert.deepEqual(brief(script)[0].exchanges, [[1, 'GET k\r\n', ['VALUE 1\r\n']]]);
    assert.equal(script.connections[0].exchanges[0].replies[0].t, 400);
  });

  it('orders connections by when they opened; drops replies the user injected', async () => {
    const events = [
      { e: 'open' as const, conn: 2, t: 5 },
      { e: 'open' as const, conn: 1, t: 1 },
      frame(2, 'c2s', 10, 'B\r\n'),
      frame(1, 'c2s', 11, 'A\r\n'),
      frame(1, 's2c', 12, 'pushed by hand\r\n', { injected: true }),
      frame(1, 's2c', 13, 'a\r\n'),
      frame(2, 's2c', 14, 'b\r\n'),
    ];
    const script = await scriptOf(events);
    assert.deepEqual(brief(script), [
      { conn: 1, exchanges: [[1, 'A\r\n', ['a\r\n']]] },
      { conn: 2, exchanges: [[1, 'B\r\n', ['b\r\n']]] },
    ]);
    // The mock keeps them: the client saw them.
    const mock = buildScript(decodeCapture(captureText(events)), {
      keepInjectedReplies: true,
    });
    assert.deepEqual(brief(mock)[0].exchanges, [[1, 'A\r\n', ['pushed by hand\r\n', 'a\r\n']]]);
  });

  it('protocol framers frame each side: a redis reply is one frame, requests carry summaries', async () => {
    const script = await scriptOf(
      [
        frame(1, 'c2s', 1, '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'),
        frame(1, 's2c', 2, '*2\r\n$1\r\na\r\n'),
        frame(1, 's2c', 3, '$1\r\nb\r\n'),
      ],
      { framing: 'redis' },
    );
    const x = script.connections[0].exchanges[0];
    assert.equal(x.request?.summary, 'GET k');
    assert.deepEqual(
      x.replies.map((r) => r.bytes.toString()),
      ['*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
    );
  });

  it('a capture without a header needs a framing; a torn last line keeps the rest', async () => {
    const headless = captureText([frame(1, 'c2s', 1, 'x\r\n')], { header: false });
    assert.throws(
      () => buildScript({ header: undefined, events: [], errors: [] }),
      (e: Error & { code?: string }) => e.code === NO_HEADER,
    );
    const framed = buildScript(decodeCapture(headless), { framing: 'lf' });
    assert.equal(framed.connections[0].exchanges[0].request?.bytes.toString(), 'x\r\n');
    const torn = captureText([frame(1, 'c2s', 1, 'a\r\n'), frame(1, 's2c', 2, 'b\r\n')]);
    const script = buildScript(decodeCapture(torn + '{"e":"frame","c":1,"d":"<","t":3,"te'));
    assert.deepEqual(brief(script)[0].exchanges, [[1, 'a\r\n', ['b\r\n']]]);
    assert.equal(script.errors.length, 1);
    assert.equal(script.errors[0].kind, 'torn');
    await assert.rejects(
      loadScript('/nonexistent/x.linetap'),
      /cannot read the capture "\/nonexistent\/x\.linetap": no such file/,
    );
  });
});
