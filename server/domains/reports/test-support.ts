import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { ReportKind } from '../../../common/reports';
import type { Client, TestApp } from '../../test/harness';

/** The rows of a report's .xlsx (each row's cells from the first column) for a query string, as `client` downloads it. */
export async function exportedRows(t: TestApp, client: Client, kind: ReportKind, query: string): Promise<unknown[][]> {
  const raw = await t.app.inject({
    method: 'GET',
    url: `/api/v1/reports/${kind}/export.xlsx?${query}`,
    headers: { cookie: client.cookie! },
  });
  expect(raw.statusCode).toBe(200);
  expect(String(raw.headers['content-type'])).toContain('spreadsheetml');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(raw.rawPayload as unknown as ArrayBuffer);
  const values: unknown[][] = [];
  workbook.worksheets[0].eachRow((row) => values.push((row.values as unknown[]).slice(1)));
  return values;
}
