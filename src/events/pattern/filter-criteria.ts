// Lambda event source mapping FilterCriteria: up to a few patterns (JSON strings); a record passes if any matches.
import { compilePattern, type CompiledPattern } from './compile.js';
import { PatternError } from './errors.js';
import { matches } from './match.js';
import { esmFilterView, type EsmSource } from './views.js';

export interface FilterCriteria { Filters?: { Pattern?: unknown }[] }
export interface CompiledFilterCriteria { patterns: CompiledPattern[] }

/**
 * Compiles every filter once, refusing the mapping as Lambda does: InvalidParameterValueException "Invalid filter
 * pattern definition." (the engine's reason kept on the error). No criteria, or an empty Filters list, filters nothing.
 */
export function compileFilterCriteria(criteria: FilterCriteria | undefined): CompiledFilterCriteria {
  const patterns = (criteria?.Filters ?? []).map((f) => {
    if (typeof f?.Pattern !== 'string' || f.Pattern === '') throw new PatternError('esm-filter', 'Pattern must be a JSON object in a string');
    return compilePattern(f.Pattern, 'esm-filter');
  });
  return { patterns };
}

/** True when the record should reach the function: no filters, or at least one filter matches its view. */
export function matchesFilterCriteria(criteria: CompiledFilterCriteria, record: Record<string, unknown>, source: EsmSource): boolean {
  if (criteria.patterns.length === 0) return true;
  const view = esmFilterView(record, source);
  return criteria.patterns.some((p) => matches(p, view));
}
