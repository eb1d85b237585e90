// The process node's pod shape (pure parts): images read from our Dockerfiles, the argv and user of a container, and
// the pod-local ports; so the node runs what the images and the Deployment say.
import { existsSync } from 'node:fs';
import { agentContainer, RUNTIME_API } from '../../src/controller/resources/pod-containers.js';
import { packageRoot } from '../../src/core/package-root.js';
import { imageCatalog, imageRepository, klambdaImages, parseDockerfile } from '../control-plane/images.js';
import { pathMappings, rewritePaths } from '../control-plane/path-rewrite.js';
import { containerArgv, containerIdentity, podLocalPorts, rewritePorts, setprivArgs } from '../control-plane/pod-sandbox.js';

const repo = packageRoot();
const images = klambdaImages(repo);

describe('the image catalog', () => {
  it('reads ENTRYPOINT, CMD, WORKDIR, ENV and USER of a Dockerfile\'s last stage', () => {
    const image = parseDockerfile([
      'FROM x AS build', 'ENTRYPOINT ["not", "this"]', 'FROM y', '# a comment', 'ENV A=1 B="two words" \\', '    C=3', 'ENV OLD form value',
      'WORKDIR /var/task', 'USER 10002:10002', 'ENTRYPOINT ["/bin/run"]', 'CMD app.handler',
    ].join('\n'));
    expect(image).toEqual({
      entrypoint: ['/bin/run'], cmd: ['/bin/sh', '-c', 'app.handler'], workingDir: '/var/task', user: '10002:10002',
      env: { A: '1', B: 'two words', C: '3', OLD: 'form value' },
    });
  });

  it('knows our images as their Dockerfiles say, and every path their entrypoints name exists here', () => {
    expect(images.klambda).toMatchObject({ entrypoint: ['node', '/opt/klambda/dist/cli/main.js'], cmd: ['--help'], user: '10001:10001' });
    expect(images['klambda-nodejs20']).toMatchObject({ entrypoint: ['/var/runtime/bootstrap'], workingDir: '/var/task', user: '10002:10002' });
    expect(images['klambda-python3.11']).toMatchObject({ entrypoint: ['python3', '-u', '/var/runtime/bootstrap.py'], user: '10002:10002' });
    expect(images['klambda-provided']).toMatchObject({ entrypoint: ['/var/task/bootstrap'], user: '10002:10002' });
    for (const [name, image] of Object.entries(images)) {
      const maps = pathMappings([], new Map(), image.paths);
      for (const arg of image.entrypoint.filter((a) => a.startsWith('/') && !a.startsWith('/var/task'))) {
        const host = rewritePaths(arg, maps);
        expect({ name, arg, exists: existsSync(host) }).toEqual({ name, arg, exists: true });
      }
    }
    // the nodejs20 entrypoint finds the bootstrap beside it through LAMBDA_RUNTIME_DIR
    expect(existsSync(`${rewritePaths('/var/runtime', pathMappings([], new Map(), images['klambda-nodejs20']!.paths))}/bootstrap.mjs`)).toBe(true);
  });

  it('finds an image by its repository, whatever the registry and tag', () => {
    const find = imageCatalog(images);
    expect(find('ghcr.io/acme/klambda-nodejs20:0.1.0@sha256:abc')).toBe(images['klambda-nodejs20']);
    expect(find('klambda:test')).toBe(images.klambda);
    expect(find('example/web:1')).toBeUndefined();
    expect(imageRepository('localhost:5000/a/b:tag@sha256:x')).toBe('localhost:5000/a/b');
  });
});

describe('a container as the node starts it', () => {
  it('combines command/args with the image\'s ENTRYPOINT/CMD as Kubernetes does', () => {
    const image = { entrypoint: ['python3', '-m', 'awslambdaric'], cmd: ['app.handler'] };
    expect(containerArgv({}, image)).toEqual(['python3', '-m', 'awslambdaric', 'app.handler']);
    expect(containerArgv({ args: ['other.handler'] }, image)).toEqual(['python3', '-m', 'awslambdaric', 'other.handler']);
    expect(containerArgv({ command: ['sh'] }, image)).toEqual(['sh']);
    expect(containerArgv({ command: ['sh'], args: ['-c', 'x'] }, undefined)).toEqual(['sh', '-c', 'x']);
  });

  it('runs as its own uid (container, pod, then image USER) with only the capabilities it adds', () => {
    expect(containerIdentity({ runAsUser: 10001, runAsGroup: 10001 }, { runAsUser: 1 })).toEqual({ uid: 10001, gid: 10001 });
    expect(containerIdentity(undefined, undefined, '10002:10003')).toEqual({ uid: 10002, gid: 10003 });
    expect(containerIdentity(undefined, undefined, 'node')).toBeUndefined();
    const agent = agentContainer('klambda:test', '{}').securityContext!;
    expect(setprivArgs({ uid: 10001, gid: 10001 }, agent)).toEqual([
      '--reuid', '10001', '--regid', '10001', '--clear-groups', '--bounding-set', '-all,+kill', '--inh-caps', '+kill', '--ambient-caps', '+kill', '--no-new-privs',
    ]);
    expect(setprivArgs({ uid: 10002, gid: 10002 }, { capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false })).toEqual([
      '--reuid', '10002', '--regid', '10002', '--clear-groups', '--bounding-set', '-all', '--no-new-privs',
    ]);
  });

  it('gives a pod its own port for its Runtime API, the same in every container and in the agent\'s postStart hook', () => {
    const ports = podLocalPorts([[{ name: 'KLAMBDA_AGENT_CONFIG', value: '{}' }], [{ name: 'AWS_LAMBDA_RUNTIME_API', value: RUNTIME_API }]]);
    expect(ports).toEqual([9001]);
    const map = new Map([[9001, 41234]]);
    expect(rewritePorts('{"pod":{"runtimeApi":"127.0.0.1:9001"}}', map)).toBe('{"pod":{"runtimeApi":"127.0.0.1:41234"}}');
    expect(rewritePorts(agentContainer('x', '{}').lifecycle!.postStart!.exec!.command![2]!, map)).toContain("'127.0.0.1:41234'");
    expect(rewritePorts('127.0.0.1:90011 redis://127.0.0.1:6379', map)).toBe('127.0.0.1:90011 redis://127.0.0.1:6379');
  });
});

describe('klambda controller --runtime-images', () => {
  it('takes runtime=image pairs and refuses anything else', async () => {
    const { parseControllerArgs } = await import('../../src/cli/cluster-args.js');
    const cmd = parseControllerArgs(['--redis-url', 'redis://r', '--runtime-images', 'nodejs20=reg/node:1,python3.11=reg/py:2'], {});
    expect(cmd.runtimeImages).toEqual({ nodejs20: 'reg/node:1', 'python3.11': 'reg/py:2' });
    expect(parseControllerArgs(['--redis-url', 'redis://r'], {}).runtimeImages).toEqual({});
    for (const bad of ['ruby=x', 'nodejs20=', '=x', 'nodejs20']) expect(() => parseControllerArgs(['--redis-url', 'redis://r', '--runtime-images', bad], {})).toThrow(/--runtime-images/);
  });
});
