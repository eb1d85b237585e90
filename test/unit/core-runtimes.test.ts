import { apiRuntimeNames, isRuntime, RUNTIME_FACTS, RUNTIMES, runtimeForApiName } from '../../src/core/runtimes.js';

describe('the runtime table', () => {
  it("maps Lambda's names and ours to ours", () => {
    expect(runtimeForApiName('nodejs20.x')).toBe('nodejs20');
    expect(runtimeForApiName('nodejs20')).toBe('nodejs20');
    expect(runtimeForApiName('python3.11')).toBe('python3.11');
    expect(runtimeForApiName('provided.al2023')).toBe('provided');
    expect(runtimeForApiName('provided.al2')).toBe('provided');
    expect(runtimeForApiName('nodejs4.3')).toBeUndefined();
  });

  it("lists Lambda's names for an error message, without our short aliases", () => {
    const names = apiRuntimeNames();
    expect(names.slice(0, 4)).toEqual(['nodejs20.x', 'python3.11', 'provided.al2023', 'provided.al2']);
    expect(names).toEqual(expect.arrayContaining(['ruby3.2', 'ruby3.3', 'ruby3.4', 'dotnet8']));
    for (const alias of ['nodejs20', 'provided', 'ruby3']) expect(names).not.toContain(alias);
  });

  it('reports each runtime by a name the API also takes', () => {
    for (const r of RUNTIMES) expect(runtimeForApiName(RUNTIME_FACTS[r].lambdaName)).toBe(r);
  });

  it('knows its own names only', () => {
    expect(isRuntime('python3.11')).toBe(true);
    expect(isRuntime('python3.12')).toBe(false);
    expect(isRuntime(3)).toBe(false);
  });
});
