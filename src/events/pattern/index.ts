// The pattern engine: EventBridge event patterns, SNS filter policies and Lambda filter criteria (pure, no I/O).
export { compilePattern, type CompiledPattern } from './compile.js';
export { PatternError, type Dialect, type SnsCall } from './errors.js';
export { compileFilterCriteria, matchesFilterCriteria, type CompiledFilterCriteria, type FilterCriteria } from './filter-criteria.js';
export { matches } from './match.js';
export { RuleIndex } from './rule-index.js';
export { esmFilterView, snsAttributesView, snsBodyView, type EsmSource, type SnsMessageAttribute } from './views.js';
