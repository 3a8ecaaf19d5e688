import * as assert from 'node:assert/strict';
import { parseFilter } from '../../../src/shared/filter';
import { frame, keeps } from './filterHelpers';

const set = frame({ text: 'SET greeting "hello"\r\n', ann: { kind: 'request', name: 'SET' } });
const ok = frame({
  id: 2,
  dir: 's2c',
  text: '+OK\r\n',
  re: 1,
  latency: 7000,
  ann: { kind: 'reply', name: '+OK', re: 0 },
});

describe('parseFilter', () => {
  it('matches every frame when empty or blank', () => {
    for (const text of ['', '   ', '\t\n']) {
      const f = parseFilter(text);
      assert.equal(f.empty, true);
      assert.equal(f.toString(), '');
      assert.deepEqual(f.directions, ['c2s', 's2c']);
      assert.equal(f.matches(frame({ dir: 's2c', partial: true })), true);
    }
    assert.equal(parseFilter('c2s').empty, false);
  });

  describe('terms', () => {
    it('direction: c2s, s2c, > and <, dir:', () => {
      const both = [frame({ dir: 'c2s' }), frame({ dir: 's2c' })];
      keeps('c2s', both, [0]);
      keeps('S2C', both, [1]);
      keeps('>', both, [0]);
      keeps('<', both, [1]);
      keeps('dir:s2c', both, [1]);
      keeps('dir:<', both, [1]);
      keeps('dir!=c2s', both, [1]);
      keeps('dir:c2s,s2c', both, [0, 1]);
    });

    it('connection, id, seq: one, a list, a comparison', () => {
      const frames = [1, 2, 3].map((n) => frame({ conn: n, id: n * 10, seq: n - 1 }));
      keeps('conn:3', frames, [2]);
      keeps('conn:1,2', frames, [0, 1]);
      keeps('conn=2', frames, [1]);
      keeps('conn==2', frames, [1]);
      keeps('conn!=1,3', frames, [1]);
      keeps('conn>1', frames, [1, 2]);
      keeps('conn>=2 conn<=2', frames, [1]);
      keeps('conn<2', frames, [0]);
      keeps('id:20', frames, [1]);
      keeps('seq:0', frames, [0]);
      keeps('CONN:3', frames, [2]);
    });

    it('a bare word: the payload contains it, in any case', () => {
      keeps('greeting', [set, ok], [0]);
      keeps('GREETING', [set, ok], [0]);
      keeps('+ok', [set, ok], [1]);
      keeps('"hello"', [set, frame({ text: 'HELLO' })], [0]);
      keeps('a,b', [frame({ text: 'xa,by' }), frame({ text: 'a b' })], [0]);
      keeps(':nick!u@h', [frame({ text: ':nick!u@h PRIVMSG #c :hi' })], [0]);
      keeps('straße', [frame({ text: 'STRASSE' }), frame({ text: 'Straße' })], [1]);
    });

    it('quoted text: exact, with spaces and escapes', () => {
      const frames = [
        frame({ text: 'SET k v\r\n' }),
        frame({ text: 'set k v\n' }),
        frame({ text: 'say "hi" \\ \t\0A é' }),
      ];
      keeps('"SET k"', frames, [0]);
      keeps('"set k"', frames, [1]);
      keeps('"v\\r\\n"', frames, [0]);
      keeps('"v\\n"', frames, [1]);
      keeps('"\\"hi\\" \\\\ \\t\\0\\x41 \\u{e9}"', frames, [2]);
      keeps('"\\u00e9"', frames, [2]);
      keeps('""', frames, [0, 1, 2]);
      keeps('"or" "partial" "c2s" "-x" "(a)"', [frame({ text: 'or partial c2s -x (a)' })], [0]);
    });

    it('a /regex/ with flags, slashes and brackets', () => {
      const frames = [
        frame({ text: 'GET /index.html HTTP/1.1\r\n' }),
        frame({ text: 'get /x\r\n' }),
        frame({ text: 'a\nb' }),
      ];
      keeps('/^GET /', frames, [0]);
      keeps('/^get /i', frames, [0, 1]);
      keeps('/HTTP\\/1\\.1/', frames, [0]);
      keeps('/[/]x/', frames, [1]);
      keeps('/^b/', frames, []);
      keeps('/^b/m', frames, [2]);
      keeps('/a.b/s', frames, [2]);
      keeps('/\\u{e9}/u', [frame({ text: 'é' })], [0]);
    });

    it('name, kind, arg and term from the annotation', () => {
      const get = frame({
        ann: { kind: 'request', name: 'GET', args: ['greeting'] },
        term: 'redis',
      });
      const bare = frame({ term: 'close' });
      const frames = [set, ok, get, bare];
      keeps('name:set', frames, [0]);
      keeps('name:"SET"', frames, [0]);
      keeps('name:"set"', frames, []);
      keeps('name:GET,set', frames, [0, 2]);
      keeps('name:/^[GS]ET$/', frames, [0, 2]);
      keeps('name!=SET', frames, [1, 2]);
      keeps('kind:reply', frames, [1]);
      keeps('kind:request,push', frames, [0, 2]);
      keeps('arg:greeting', frames, [2]);
      keeps('arg!=other', frames, [2]);
      keeps('term:close', frames, [3]);
      keeps('term:/^re/', frames, [2]);
    });

    it('protocol fields: shorthands, field.NAME, numbers, text, presence', () => {
      const frames = [
        frame({ ann: { fields: { status: 200, key: 'Greeting', chunked: false } } }),
        frame({ ann: { fields: { status: 404, method: 'GET', chunked: true } } }),
        frame({ ann: { fields: { status: '500', 'x-id': 'a b' } } }),
        frame(),
      ];
      keeps('status>=400', frames, [1, 2]);
      keeps('status:404', frames, [1]);
      keeps('status:500', frames, [2]);
      keeps('status!=200', frames, [1, 2]);
      keeps('status<300', frames, [0]);
      keeps('field.status:/^[45]/', frames, [1, 2]);
      keeps('key:greeting', frames, [0]);
      keeps('key:"greeting"', frames, []);
      keeps('method:get', frames, [1]);
      keeps('field.x-id:"a b"', frames, [2]);
      keeps('field.chunked:true', frames, [1]);
      const smtp = [
        frame({ ann: { fields: { code: '250' } } }),
        frame({ ann: { fields: { code: '550' } } }),
      ];
      keeps('code>=400', smtp, [1]);
      keeps('field.chunked', frames, [1]);
      keeps('field.status', frames, [0, 1, 2]);
      keeps('field.constructor', frames, []);
      keeps('field.constructor:/./', frames, []);
    });

    it('size in bytes, with k and m', () => {
      const frames = [frame({ text: 'abc' }), frame({ bytes: new Uint8Array(2048) })];
      keeps('size:3', frames, [0]);
      keeps('size>3', frames, [1]);
      keeps('size>=2k', frames, [1]);
      keeps('size>2kb', frames, []);
      keeps('size<1.5KiB', frames, [0]);
      keeps('size<1m', frames, [0, 1]);
    });

    it('latency and time with us, ms and s', () => {
      const frames = [
        frame({ t: 1_500_000, latency: 250 }),
        frame({ t: 3_000_000, latency: 7000 }),
        frame({ t: 0 }),
      ];
      keeps('latency>5ms', frames, [1]);
      keeps('latency<=250us', frames, [0]);
      keeps('latency<1µs', frames, []);
      keeps('latency>0.2ms latency<0.3ms', frames, [0]);
      keeps('time>=1.5s', frames, [0, 1]);
      keeps('t<2s', frames, [0, 2]);
      keeps('time:0', frames, [2]);
    });

    it('flags: partial, oversize, injected, held', () => {
      const frames = [
        frame(),
        frame({ partial: true }),
        frame({ oversize: true }),
        frame({ injected: true }),
        frame({ held: true }),
      ];
      keeps('partial', frames, [1]);
      keeps('oversize', frames, [2]);
      keeps('injected', frames, [3]);
      keeps('HELD', frames, [4]);
    });

    it('warning, any or by code', () => {
      const warn = (code: 'bare-lf' | 'invalid-utf8') => ({ code, message: code });
      const frames = [
        frame({ ann: { warnings: [warn('bare-lf')] } }),
        frame({ ann: { warnings: [warn('invalid-utf8'), warn('bare-lf')] } }),
        frame({ ann: { warnings: [] } }),
        frame(),
      ];
      keeps('warning', frames, [0, 1]);
      keeps('warning:bare-lf', frames, [0, 1]);
      keeps('warning:invalid-utf8', frames, [1]);
      keeps('warning!=invalid-utf8', frames, [0]);
      keeps('warning:/utf/', frames, [1]);
    });

    it('re and reply-to: a reply, or the reply to one frame id', () => {
      const seqOnly = frame({ ann: { re: 4 } });
      const frames = [set, ok, seqOnly];
      keeps('re', frames, [1, 2]);
      keeps('reply-to', frames, [1, 2]);
      keeps('re:1', frames, [1]);
      keeps('reply-to:2', frames, []);
    });
  });
});
