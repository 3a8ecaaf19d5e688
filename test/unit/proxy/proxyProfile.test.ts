import * as assert from 'node:assert/strict';
import {
  checkFraming,
  checkListen,
  checkProfile,
  checkUpstream,
  ProfileError,
  profileOptions,
} from '../../../src/core/proxy/proxyProfile';

describe('proxy profiles', () => {
  it('checks listen addresses as they are typed, with an example of the right form', () => {
    assert.equal(checkListen('7000'), undefined);
    assert.equal(checkListen('0.0.0.0:7000'), undefined);
    assert.equal(checkListen('[::1]:7000'), undefined);
    assert.match(checkListen('') ?? '', /Type a port/);
    assert.match(checkListen('70000') ?? '', /port must be a number from 0 to 65535.*e\.g\. 7000/);
    assert.match(checkListen('seven') ?? '', /port must be a number/);
  });

  it('checks upstream addresses: a host is required and port 0 is not a server', () => {
    assert.equal(checkUpstream('localhost:6379'), undefined);
    assert.match(checkUpstream('6379') ?? '', /needs a host: write HOST:PORT/);
    assert.match(checkUpstream('localhost:0') ?? '', /cannot be 0/);
    assert.match(checkUpstream(' ') ?? '', /Type the server address/);
  });

  it('checks framing specs, listing the accepted forms', () => {
    assert.equal(checkFraming('redis'), undefined);
    assert.equal(checkFraming('delim:\\r\\n.\\r\\n'), undefined);
    assert.match(checkFraming('crlff') ?? '', /bad framing spec "crlff".*Accepted: lf, crlf/);
  });

  it('rejects profiles from settings naming the field to fix', () => {
    const bad = (value: unknown, field: string, message: RegExp) =>
      assert.throws(
        () => checkProfile(value),
        (e: unknown) => e instanceof ProfileError && e.field === field && message.test(e.message),
      );
    bad('redis', 'profile', /is an object such as/);
    bad({ name: 'r', listen: '7000' }, 'upstream', /profile "r", "upstream": Type the server/);
    bad({ listen: 7000, upstream: 'h:1' }, 'listen', /"listen" must be a string/);
    bad(
      { listen: '1', upstream: 'h:1', framing: 'rediss' },
      'framing',
      /bad framing spec "rediss"/,
    );
    bad({ listen: '1', upstream: 'h:1', upstreamTls: 'yes' }, 'upstreamTls', /true or false/);
    bad({ listen: '1', upstream: 'h:1', lisen: '2' }, 'profile', /unknown field "lisen"/);
    bad({ listen: '1', upstream: 'h:1', tlsCert: 'c.pem' }, 'tlsCert', /go together/);
    bad({ listen: '1', upstream: 'h:1', intercept: 'name:(' }, 'intercept', /"intercept"/);
    bad(
      { listen: '1', upstream: 'h:1', framing: 'crlf', clientFraming: 'lf' },
      'framing',
      /either "framing", or "clientFraming"/,
    );
  });

  it('turns a profile into session options with the bind address, limits and TLS files', () => {
    const files: string[] = [];
    const options = profileOptions(
      checkProfile({
        listen: '7000',
        upstream: 'localhost:6379',
        clientFraming: 'redis',
        tlsCert: 'c.pem',
        tlsKey: 'k.pem',
        upstreamTls: true,
        upstreamTlsInsecure: true,
      }),
      {
        bindAddress: '0.0.0.0',
        limits: { maxConnections: 5, ringFrames: 100 },
        readFile: (f) => (files.push(f), Buffer.from(f)),
        defaultCapture: '/tmp/x.linetap',
      },
    );
    assert.equal(options.listen, '0.0.0.0:7000');
    assert.deepEqual(options.framing, { c2s: 'redis', s2c: 'line' });
    assert.deepEqual(options.upstreamTls, { rejectUnauthorized: false });
    assert.deepEqual(files, ['c.pem', 'k.pem']);
    assert.equal(options.maxConnections, 5);
    assert.deepEqual(options.ring, { frames: 100 });
    assert.equal(options.capture, '/tmp/x.linetap');
  });

  it('says which TLS file cannot be read', () => {
    assert.throws(
      () =>
        profileOptions(checkProfile({ listen: '1', upstream: 'h:1', tlsCert: 'c', tlsKey: 'k' }), {
          readFile: () => {
            throw new Error('ENOENT: no such file');
          },
        }),
      /cannot read "tlsCert" file c: ENOENT/,
    );
  });
});
