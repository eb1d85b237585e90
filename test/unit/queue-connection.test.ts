// The pure parts of reaching a Redis Cluster: its URL form, and the hash slot of a key.
import { createRequire } from 'node:module';
import { isClusterUrl, parseClusterNodes, parseClusterUrl } from '../../src/queue/connection.js';
import { crc16, hashedPart, HASH_SLOTS, keySlot } from '../../src/queue/key-slot.js';
import { queueKeys, replyListKey } from '../../src/queue/keys.js';
import { redisUrlFor } from '../../src/queue/acl.js';

// ioredis's own slot function, to check ours against
const clusterKeySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

describe('Redis Cluster URLs', () => {
  it('are told from a single server\'s by their scheme', () => {
    expect(isClusterUrl('redis+cluster://10.0.0.1:6379')).toBe(true);
    expect(isClusterUrl('rediss+cluster://user:pw@redis.example:6380')).toBe(true);
    expect(isClusterUrl('REDIS+CLUSTER://h:1')).toBe(true);
    expect(isClusterUrl('redis://10.0.0.1:6379')).toBe(false);
    expect(isClusterUrl('rediss://10.0.0.1:6379/0')).toBe(false);
  });

  it('name seed nodes by their host and addr parameters, with the credentials and TLS of the URL', () => {
    expect(parseClusterUrl('redis+cluster://klambda-router:s3cret@redis-0.redis:6379?addr=redis-1.redis:6379&addr=redis-2.redis:6380,10.0.0.9:7000')).toEqual({
      nodes: [{ host: 'redis-0.redis', port: 6379 }, { host: 'redis-1.redis', port: 6379 }, { host: 'redis-2.redis', port: 6380 }, { host: '10.0.0.9', port: 7000 }],
      username: 'klambda-router', password: 's3cret', tls: false,
    });
    expect(parseClusterUrl('rediss+cluster://redis.example')).toEqual({ nodes: [{ host: 'redis.example', port: 6379 }], tls: true });
    expect(parseClusterUrl('redis+cluster://[::1]:7000?addr=[::1]:7001').nodes).toEqual([{ host: '::1', port: 7000 }, { host: '::1', port: 7001 }]);
  });

  it('decode an agent\'s user and password as redisUrlFor wrote them', () => {
    const url = redisUrlFor('redis+cluster://10.0.0.1:6379?addr=10.0.0.2:6379', 'klambda-agent:team-a/hello/$LATEST', 'p@ss/word');
    expect(url.startsWith('redis+cluster://')).toBe(true);
    expect(parseClusterUrl(url)).toEqual({
      nodes: [{ host: '10.0.0.1', port: 6379 }, { host: '10.0.0.2', port: 6379 }], username: 'klambda-agent:team-a/hello/$LATEST', password: 'p@ss/word', tls: false,
    });
  });

  it('refuse what a cluster cannot mean: another scheme, a database, unknown parameters, bad addresses', () => {
    expect(() => parseClusterUrl('redis://h:6379')).toThrow(/redis\+cluster/);
    expect(() => parseClusterUrl('redis+cluster://h:6379/1')).toThrow(/database/);
    expect(() => parseClusterUrl('redis+cluster://h:6379?nodes=h2:6379')).toThrow(/unknown parameter "nodes"/);
    expect(() => parseClusterUrl('redis+cluster://h:6379?addr=h2:notaport')).toThrow(/not host:port/);
  });
});

describe('parseClusterNodes', () => {
  it('lists every node with its address and role, marking those klambda cannot use', () => {
    const text = [
      '07c3 127.0.0.1:30004@40004 slave e7d1 0 1426238317239 4 connected',
      '67ed 127.0.0.1:30002@40002,redis-2.example master - 0 1426238316232 2 connected 5461-10922',
      '292f 127.0.0.1:30003@40003 myself,master - 0 0 3 connected 10923-16383',
      '6ec2 127.0.0.1:30005@40005 master,fail - 1426238316232 1426238316232 5 disconnected',
      '824f 10.0.0.7:30006@40006 slave,fail? 292f 0 1426238317741 6 connected',
      'a1b2 :0@0 handshake - 0 0 0 connected',
      '',
    ].join('\n');
    expect(parseClusterNodes(text)).toEqual([
      { host: '127.0.0.1', port: 30004, master: false, unusable: false },
      { host: '127.0.0.1', port: 30002, master: true, unusable: false },
      { host: '127.0.0.1', port: 30003, master: true, unusable: false },
      { host: '127.0.0.1', port: 30005, master: true, unusable: true },
      { host: '10.0.0.7', port: 30006, master: false, unusable: false },
      { host: '', port: 0, master: false, unusable: true },
    ]);
  });
});

describe('keySlot', () => {
  it('is CRC16 (XMODEM) modulo 16384', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
    expect(keySlot('foo')).toBe(12182);
    expect(HASH_SLOTS).toBe(16384);
  });

  it('hashes only the hash tag when there is a non-empty one', () => {
    expect(hashedPart('klambda:{ns/fn/1}:pending')).toBe('ns/fn/1');
    expect(hashedPart('a{}b{c}')).toBe('a{}b{c}');
    expect(hashedPart('no tag')).toBe('no tag');
    expect(hashedPart('{a}{b}')).toBe('a');
  });

  it('agrees with ioredis on every key of a queue and its reply lists, and on odd keys', () => {
    const ref = { namespace: 'team-a', functionName: 'résumé', version: '$LATEST' };
    const keys = [...Object.values(queueKeys(ref, 'kl')), replyListKey(ref, 'router-1', 'kl'), 'kl:routes', 'kl:route:{team-a/résumé}', '{', '}{', 'x{y', ''];
    for (let i = 0; i < 200; i++) keys.push(`k${i}:${Math.random().toString(36)}`);
    for (const key of keys) expect([key, keySlot(key)]).toEqual([key, clusterKeySlot(key)]);
    expect(new Set(Object.values(queueKeys(ref, 'kl')).map(keySlot)).size).toBe(1);
  });
});
