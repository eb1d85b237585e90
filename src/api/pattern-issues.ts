// Event patterns and filter policies in our kinds' specs, checked by the pattern engine and worded as spec issues.
import { compilePattern, PatternError, type Dialect } from '../events/pattern/index.js';
import type { SpecIssue } from './function.js';

/**
 * The issue at `path` when AWS would refuse `pattern` in this dialect, or undefined when the engine compiles it.
 * EventBridge's words are PutRule's ("Event pattern is not valid. Reason: …"); elsewhere the reason alone, since
 * the path already names the filter policy and SNS's "Invalid parameter: FilterPolicy:" says nothing more.
 */
export function patternIssue(pattern: unknown, dialect: Dialect, path: string): SpecIssue | undefined {
  try {
    compilePattern(pattern, dialect);
    return undefined;
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    const message = dialect === 'eventbridge' ? err.message : err.reason;
    // a reason may quote a field name that holds a line break; one issue is one line
    return { path, message: message.replace(/\s*[\r\n]+\s*/g, ' ') };
  }
}
