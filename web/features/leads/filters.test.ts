import { describe, expect, it } from 'vitest';
import { leadParamsOf } from './filters';

describe('the leads page’s address', () => {
  it('reads the lead-conversion drill-down’s filters, and drops what the API would refuse', () => {
    const params = leadParamsOf(
      new URLSearchParams(
        'createdFrom=2025-03-01&createdTo=2025-03-31&won=true&source=讲座&branchId=b&departmentId=d&businessLineId=l',
      ),
    );
    expect(params).toEqual({
      page: 1,
      pageSize: 20,
      view: 'visible',
      createdFrom: '2025-03-01',
      createdTo: '2025-03-31',
      won: 'true',
      source: '讲座',
      branchId: 'b',
      departmentId: 'd',
      businessLineId: 'l',
    });
    const bad = leadParamsOf(new URLSearchParams('createdFrom=March&converted=yes&status=lost&pageSize=7&sort=-x'));
    expect(bad).toEqual({ page: 1, pageSize: 20, view: 'visible' });
  });
});
