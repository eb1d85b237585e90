// Writing manifests safely: atomic replace, editing or removing one document of a user's file, and a write mutex.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isNode, isScalar, parseAllDocuments, stringify, type Document } from 'yaml';

/** Runs async sections one at a time, in call order; a failed section does not block the next. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Writes `text` to `file` through a temporary dot-file and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, text: string | Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A manifest as YAML, after a comment header; long strings are never folded (code stays readable). */
export function manifestYaml(object: unknown, header?: string): string {
  const body = stringify(object, { lineWidth: 0 });
  return header ? `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}` : body;
}

/** Picks the document to change by its decoded value. */
export type DocumentMatch = (value: unknown) => boolean;

const isJson = (file: string) => /\.json$/i.test(file);

async function readDocuments(file: string): Promise<Document[]> {
  const docs = parseAllDocuments(await readFile(file, 'utf8'));
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${file} is not valid YAML any more: ${d.errors[0]!.message}`);
  return docs;
}

function findDocument(docs: Document[], match: DocumentMatch, file: string): number {
  const i = docs.findIndex((d) => d.contents !== null && match(d.toJS()));
  if (i < 0) throw new Error(`the document to change is no longer in ${file}`);
  return i;
}

function render(file: string, docs: Document[]): string {
  if (isJson(file)) return `${JSON.stringify(docs[0]!.toJS(), null, 2)}\n`;
  return docs.map((d) => d.toString({ lineWidth: 0 })).join('');
}

/** One document of a file as written: no defaults filled in (what the user wrote, not what parsing made of it). */
export async function readDocument(file: string, match: DocumentMatch): Promise<unknown> {
  const docs = await readDocuments(file);
  return docs[findDocument(docs, match, file)]!.toJS();
}

/**
 * Edits one document of a (possibly multi-document) file in place through yaml's Document API, so the other
 * documents, comments and formatting stay as the user wrote them. Returns the edited document's value.
 */
export async function editDocument(file: string, match: DocumentMatch, edit: (doc: Document) => void): Promise<unknown> {
  const docs = await readDocuments(file);
  const doc = docs[findDocument(docs, match, file)]!;
  edit(doc);
  await writeFileAtomic(file, render(file, docs));
  return doc.toJS();
}

/** Removes one document from a file, keeping the others; deletes the file when nothing else is left in it. */
export async function removeDocument(file: string, match: DocumentMatch): Promise<void> {
  const docs = await readDocuments(file);
  docs.splice(findDocument(docs, match, file), 1);
  if (docs.every((d) => d.contents === null)) {
    await unlink(file);
    return;
  }
  const first = docs[0]!;
  // The first document needs no '---' of its own unless it has directives.
  if (first.directives && first.directives.docStart === true && !first.directives.yaml.explicit) first.directives.docStart = null;
  await writeFileAtomic(file, render(file, docs));
}

/** Sets a field of a document to `value` (keeping the comments on it), or removes it when `value` is undefined. */
export function setField(doc: Document, path: readonly string[], value: unknown): void {
  if (value === undefined) {
    if (doc.hasIn(path)) doc.deleteIn(path);
    return;
  }
  const old = doc.getIn(path, true);
  if (isScalar(old) && (typeof value !== 'object' || value === null)) {
    old.value = value;
    return;
  }
  const node = doc.createNode(value);
  if (isNode(old)) {
    node.comment = old.comment;
    node.commentBefore = old.commentBefore;
  }
  doc.setIn(path, node);
}
