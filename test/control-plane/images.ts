// The process node's images: what a container image would hold (ENTRYPOINT, CMD, WORKDIR, ENV, USER) and which host
// folders stand for its paths. klambda's images are read from this repository's Dockerfiles; an "AWS base image" whose
// entrypoint is AWS's own runtime interface client (awslambdaric) is laid out from the installed Python package.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the process node needs of an image. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  workingDir?: string;
  env: Record<string, string>;
  /** USER, as `uid[:gid]`. */
  user?: string;
  /** Image path → host folder or file (longest path wins), as the path rewriting of volumes. */
  paths: Record<string, string>;
}

/** Finds an image by its reference; undefined: an image the node does not know (its container needs a command). */
export type ImageCatalog = (image: string) => ImageConfig | undefined;

type DockerfileImage = Omit<ImageConfig, 'paths'>;

/** `["a", "b"]` (exec form) or `a b` (shell form, run by /bin/sh -c). */
function commandForm(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as string[];
  return ['/bin/sh', '-c', trimmed];
}

/** ENV `k=v k2="v 2"` or the old `ENV k v` form. */
function envPairs(rest: string): Array<[string, string]> {
  const trimmed = rest.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) {
    const space = trimmed.search(/\s/);
    return [[trimmed.slice(0, space), trimmed.slice(space + 1).trim()]];
  }
  const out: Array<[string, string]> = [];
  for (const m of trimmed.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out.push([m[1]!, m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!]);
  }
  return out;
}

/** The image config a Dockerfile's last stage sets (pure): ENTRYPOINT, CMD, WORKDIR, ENV and USER; continuation lines joined. */
export function parseDockerfile(text: string): DockerfileImage {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let image: DockerfileImage = { entrypoint: [], cmd: [], env: {} };
  for (const line of lines) {
    const [, instruction = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    switch (instruction.toUpperCase()) {
      case 'FROM': image = { entrypoint: [], cmd: [], env: {} }; break; // a new stage (our bases' own settings are not needed)
      case 'ENTRYPOINT': image.entrypoint = commandForm(rest); image.cmd = []; break;
      case 'CMD': image.cmd = commandForm(rest); break;
      case 'WORKDIR': image.workingDir = rest.trim(); break;
      case 'USER': image.user = rest.trim(); break;
      case 'ENV': for (const [k, v] of envPairs(rest)) image.env[k] = v; break;
      default: break;
    }
  }
  return image;
}

const fromDockerfile = (repo: string, file: string): DockerfileImage => parseDockerfile(readFileSync(join(repo, file), 'utf8'));

/** klambda's images, by repository name: what each Dockerfile says, and where this repository holds what it copies. */
export function klambdaImages(repo: string): Record<string, ImageConfig> {
  return {
    klambda: { ...fromDockerfile(repo, 'Dockerfile'), paths: { '/opt/klambda/bin/setpriv': '/usr/bin/setpriv', '/opt/klambda': repo } },
    'klambda-nodejs20': {
      ...fromDockerfile(repo, 'docker/nodejs20.Dockerfile'),
      paths: { '/var/runtime/bootstrap': join(repo, 'docker/runtimes/nodejs20/bootstrap'), '/var/runtime': join(repo, 'src/agent/runtimes/nodejs') },
    },
    'klambda-python3.11': (() => {
      const image = fromDockerfile(repo, 'docker/python3.11.Dockerfile');
      // the python image's own PATH (its python3 is the system's here: a per-user one, like pyenv's shims under /root,
      // is not the function user's to run)
      return { ...image, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...image.env }, paths: { '/var/runtime': join(repo, 'src/agent/runtimes/python') } };
    })(),
    'klambda-provided': { ...fromDockerfile(repo, 'docker/provided.Dockerfile'), paths: {} },
    // the system's ruby and dotnet (when installed), as in the python image
    'klambda-ruby3': { ...fromDockerfile(repo, 'docker/ruby3.Dockerfile'), env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' }, paths: { '/var/runtime': join(repo, 'src/agent/runtimes/ruby') } },
    'klambda-dotnet8': { ...fromDockerfile(repo, 'docker/dotnet8.Dockerfile'), env: { PATH: '/usr/local/bin:/usr/bin:/bin', DOTNET_CLI_TELEMETRY_OPTOUT: 'true', DOTNET_NOLOGO: 'true' }, paths: { '/var/runtime': join(repo, 'src/agent/runtimes/dotnet') } },
  };
}

/** The reference of the test's "AWS base image". */
export const AWS_BASE_IMAGE = 'klambda.test/aws-lambda-python-ric:3.11';

/**
 * Lays out an image like AWS's Python base image, with AWS's runtime interface client unchanged as its ENTRYPOINT:
 * /var/runtime holds awslambdaric and its dependencies (copied from the Python this machine has, as `pip install
 * --target` would), /var/lang/bin a python3, /var/task the handler `codeDir`. World-readable, so any uid runs it.
 * Returns the image and a cleanup.
 */
export function awsBaseImage(codeDir: string): { image: ImageConfig; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'klambda-aws-base-'));
  chmodSync(root, 0o755);
  const runtimeDir = join(root, 'var-runtime');
  const binDir = join(root, 'var-lang-bin');
  mkdirSync(binDir, { mode: 0o755 });
  // the distribution's files and its requirements', recursively; not the host's interpreter (it may sit in a private home)
  const copy = spawnSync('python3', ['-c', `
import importlib.metadata as md, os, re, shutil, sys
dest, todo, seen = sys.argv[1], ['awslambdaric'], set()
while todo:
    name = todo.pop()
    if name.lower() in seen: continue
    seen.add(name.lower())
    dist = md.distribution(name)
    for f in dist.files or []:
        src = str(dist.locate_file(f))
        if str(f).startswith('..') or '__pycache__' in str(f) or not os.path.isfile(src): continue
        out = os.path.join(dest, str(f))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(src, out)
    for req in dist.requires or []:
        if 'extra ==' not in req: todo.append(re.split(r'[ ;<>=!~\\[(]', req)[0])
print(sys.version_info[0], sys.version_info[1])
`, runtimeDir], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`awslambdaric is not installed for python3 (pip install awslambdaric==4.2.2): ${copy.stderr}`);
  const [major, minor] = copy.stdout.trim().split(' ');
  // the same minor version as the one awslambdaric's extension was built for, from a public place
  symlinkSync(`/usr/bin/python${major}.${minor}`, join(binDir, 'python3'));
  spawnSync('chmod', ['-R', 'a+rX', root]);
  return {
    image: {
      entrypoint: ['python3', '-m', 'awslambdaric'], cmd: ['app.handler'], workingDir: '/var/task',
      env: { PATH: '/var/lang/bin:/usr/local/bin:/usr/bin:/bin', PYTHONPATH: '/var/runtime', LAMBDA_TASK_ROOT: '/var/task', LAMBDA_RUNTIME_DIR: '/var/runtime' },
      paths: { '/var/runtime': runtimeDir, '/var/lang/bin': binDir, '/var/task': codeDir },
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The repository of an image reference: `registry:5000/a/b:tag@sha256:…` → `registry:5000/a/b`. */
export function imageRepository(image: string): string {
  const named = image.split('@')[0]!;
  const colon = named.lastIndexOf(':');
  return colon > named.lastIndexOf('/') ? named.slice(0, colon) : named;
}

/** A catalog over images by repository; klambda's are matched by their last path part, whatever the registry. */
export function imageCatalog(images: Record<string, ImageConfig>): ImageCatalog {
  return (image) => {
    const repository = imageRepository(image);
    return images[repository] ?? images[repository.split('/').pop()!];
  };
}
