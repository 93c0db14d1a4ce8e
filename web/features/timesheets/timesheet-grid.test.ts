import { describe, expect, it } from 'vitest';
import { bodyOf, dayTotal, hoursText, hundredthsOf, newKey, rowTotal, type GridRow } from './timesheet-grid';

const row = (patch: Partial<GridRow>): GridRow => ({
  key: newKey(),
  engagementId: null,
  engagementTitle: null,
  customerName: null,
  closed: false,
  taskId: null,
  taskTitle: null,
  category: 'training',
  billable: false,
  note: '',
  hours: {},
  ...patch,
});

describe('the weekly grid', () => {
  it('reads quarter hours exactly as typed, and nothing else', () => {
    expect(['', '0', '6.5', '6,5', '0.25', '7.75', '24', '8.50'].map(hundredthsOf)).toEqual([
      0, 0, 650, 650, 25, 775, 2400, 850,
    ]);
    expect(['6.3', '-1', 'abc', '1.125', '.5', '01'].map(hundredthsOf)).toEqual([null, null, null, null, null, null]);
    expect([0, 25, 650, 800, 2425, 1075].map(hoursText)).toEqual(['0', '0.25', '6.5', '8', '24.25', '10.75']);
  });

  it('adds up rows and days, and sends the cells with hours', () => {
    const rows = [
      row({ engagementId: 'e', category: 'engagement', billable: true, hours: { d1: '6.5', d2: '' } }),
      row({ note: ' 年度培训 ', hours: { d1: '1,75', d2: '0' } }),
    ];
    expect(dayTotal(rows, 'd1')).toBe(825);
    expect(rowTotal(rows[0])).toBe(650);
    expect(bodyOf(rows)).toEqual({
      rows: [
        { engagementId: 'e', taskId: null, category: 'engagement', billable: true, note: null, hours: { d1: '6.5' } },
        {
          engagementId: null,
          taskId: null,
          category: 'training',
          billable: false,
          note: '年度培训',
          hours: { d1: '1.75' },
        },
      ],
    });
  });
});
