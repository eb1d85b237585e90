import { paginate } from '../../src/router/lambda/paginate.js';

describe('Marker/MaxItems pagination', () => {
  const all = Array.from({ length: 5 }, (_, i) => i);
  it('returns everything on one page by default', () => {
    expect(paginate(all, undefined, undefined)).toEqual({ items: all });
  });
  it('walks the pages with the marker it hands out', () => {
    const p1 = paginate(all, undefined, '2');
    expect(p1.items).toEqual([0, 1]);
    const p2 = paginate(all, p1.next, '2');
    expect(p2.items).toEqual([2, 3]);
    const p3 = paginate(all, p2.next, '2');
    expect(p3).toEqual({ items: [4] });
  });
  it('refuses a bad MaxItems or marker with InvalidParameterValueException', () => {
    expect(() => paginate(all, undefined, '0')).toThrow(expect.objectContaining({ awsType: 'InvalidParameterValueException' }));
    expect(() => paginate(all, 'bm9wZQ', '2')).toThrow(expect.objectContaining({ statusCode: 400 }));
  });
});
