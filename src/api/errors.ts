// Typed errors of manifests and of the objects they hold, each carrying the AWS error shape the router sends.
import { KlambdaError } from '../core/errors.js';

/** One problem in one document of a manifest file. `document` counts from 1 (0: the file as a whole); `line` too. */
export interface ManifestIssue {
  source: string;
  document: number;
  /** Dotted field path (`spec.memoryMB`), or '' for the document as a whole. */
  path: string;
  message: string;
  line?: number;
}

/** Where an issue is: `fns.yaml (document 2, line 7): spec.memoryMB`. */
export function issueLocation(i: ManifestIssue): string {
  const where = i.document > 0 ? `${i.source} (document ${i.document}${i.line !== undefined ? `, line ${i.line}` : ''})` : i.source;
  return i.path ? `${where}: ${i.path}` : where;
}

export function formatIssues(issues: readonly ManifestIssue[]): string {
  if (issues.length === 1) return `${issueLocation(issues[0]!)}: ${issues[0]!.message}`;
  return [`${issues.length} problems in the manifests:`, ...issues.map((i) => `  ${issueLocation(i)}: ${i.message}`)].join('\n');
}

/** Manifests that do not parse or validate: every problem found, not just the first. */
export class ManifestError extends KlambdaError {
  readonly issues: readonly ManifestIssue[];
  constructor(issues: readonly ManifestIssue[]) {
    super(400, 'InvalidParameterValueException', formatIssues(issues));
    this.issues = issues;
    this.name = 'ManifestError';
  }
}

export { ResourceNotFoundError, ResourceConflictError, InvalidParameterError } from '../core/errors.js';

/** Code the local mode cannot run: a container image (400 InvalidParameterValueException). */
export class UnsupportedCodeError extends KlambdaError {
  constructor(message: string) {
    super(400, 'InvalidParameterValueException', message);
    this.name = 'UnsupportedCodeError';
  }
}
